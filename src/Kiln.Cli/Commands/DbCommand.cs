using System.CommandLine;
using System.Text.Json;
using Kiln.Cli.Output;
using Kiln.Server.Configuration;
using Kiln.Server.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Spectre.Console;

namespace Kiln.Cli.Commands;

/// <summary><c>kiln db migrate|status</c>: the database's schema, for operators (no server needed).</summary>
internal static class DbCommand
{
    private static readonly Option<string?> Database = new("--database")
    {
        Description = "PostgreSQL URI or Npgsql connection string (default: $KILN_DATABASE, else the SQLite files in the data folder)",
    };

    private static readonly Option<string?> DataDir = new("--data-dir")
    {
        Description = "Data folder of the SQLite store (default: $KILN_DATA_DIR or ./kiln-data)",
    };

    public static Command Create()
    {
        var command = new Command("db", "Migrate the database or show its migrations (PostgreSQL or the SQLite default)");
        var migrate = new Command("migrate", "Apply every pending migration (under a lock: safe while replicas start)") { Database, DataDir };
        migrate.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            await using var services = Services(parse);
            var migrator = services.GetRequiredService<DatabaseMigrator>();
            var applied = await migrator.MigrateAsync(cancellationToken);
            var status = await migrator.StatusAsync(cancellationToken);
            CommandOutput.Info(applied.Count == 0
                ? $"{Markup.Escape(status.Database)}: up to date ({status.Applied.Count} migrations)."
                : $"{Markup.Escape(status.Database)}: [green]applied[/] {applied.Count}: {Markup.Escape(string.Join(", ", applied))}");
        }));

        var status = new Command("status", "Show where the database is and which migrations it has and lacks") { Database, DataDir };
        status.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            await using var services = Services(parse);
            var current = await services.GetRequiredService<DatabaseMigrator>().StatusAsync(cancellationToken);
            if (parse.GetValue(CommonOptions.Output) == OutputFormat.Json)
            {
                WriteJson(current);
                return;
            }

            CommandOutput.Info($"Database: {Markup.Escape(current.Database)}");
            var table = new Table().AddColumns("Migration", "State");
            foreach (var name in current.Applied)
            {
                table.AddRow(Markup.Escape(name), "applied");
            }

            foreach (var name in current.Pending)
            {
                table.AddRow(Markup.Escape(name), "[yellow]pending[/]");
            }

            CommandOutput.Table(table);
        }));

        command.Subcommands.Add(migrate);
        command.Subcommands.Add(status);
        return command;
    }

    private static ServiceProvider Services(ParseResult parse)
    {
        var overrides = new Dictionary<string, string?>();
        if (parse.GetValue(Database) is { } database)
        {
            overrides["Kiln:Storage:Database"] = database;
        }

        if (parse.GetValue(DataDir) is { } dataDir)
        {
            overrides["Kiln:Storage:DataDir"] = dataDir;
        }

        var services = KilnDatabaseTool.Build(overrides);
        _ = services.GetRequiredService<IOptions<KilnOptions>>().Value; // validates every setting, all errors at once
        return services;
    }

    private static void WriteJson(DatabaseStatus status)
    {
        using var writer = new Utf8JsonWriter(Console.OpenStandardOutput(), new JsonWriterOptions { Indented = true });
        writer.WriteStartObject();
        writer.WriteString("database", status.Database);
        writer.WriteStartArray("applied");
        status.Applied.ToList().ForEach(writer.WriteStringValue);
        writer.WriteEndArray();
        writer.WriteStartArray("pending");
        status.Pending.ToList().ForEach(writer.WriteStringValue);
        writer.WriteEndArray();
        writer.WriteEndObject();
        writer.Flush();
        Console.Out.WriteLine();
    }
}
