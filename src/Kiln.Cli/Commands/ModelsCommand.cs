using System.CommandLine;
using System.Globalization;
using Kiln.Cli.Output;
using Kiln.Client;
using Kiln.Core.Registry;
using Kiln.Core.Serialization;
using Spectre.Console;

namespace Kiln.Cli.Commands;

/// <summary><c>kiln models register|list|show|alias|profile</c>: the model registry.</summary>
internal static class ModelsCommand
{
    public static Command Create()
    {
        var command = new Command("models", "Register models and manage versions and aliases");
        command.Subcommands.Add(Register());
        command.Subcommands.Add(List());
        command.Subcommands.Add(Show());
        command.Subcommands.Add(Alias());
        command.Subcommands.Add(ModelsProfileCommand.Create());
        return command;
    }

    private static Command Register()
    {
        var name = new Argument<string>("name") { Description = "Registered model name" };
        var path = new Argument<string>("path") { Description = "A .onnx file, or an MLflow model directory (onnx flavor)" };
        var alias = new Option<string?>("--alias") { Description = "Point this alias (e.g. champion) at the new version" };
        var features = new Option<string?>("--feature-names") { Description = "Comma-separated column names for a single 2-D input" };
        var description = new Option<string?>("--description") { Description = "Description of the version" };
        var command = new Command("register", "Register a new version of a model") { name, path, alias, features, description };
        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            using var client = CommonOptions.CreateClient(parse);
            var version = await client.RegisterAsync(parse.GetValue(name)!, parse.GetValue(path)!, new RegisterOptions
            {
                Alias = parse.GetValue(alias),
                FeatureNames = parse.GetValue(features)?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries),
                Description = parse.GetValue(description),
            }, cancellationToken);
            if (parse.GetValue(CommonOptions.Output) == OutputFormat.Json)
            {
                CommandOutput.Json(version, KilnJsonContext.Default.ModelVersion);
                return;
            }

            CommandOutput.Info($"[green]Registered[/] {Markup.Escape(version.ModelName)} version {version.Version}"
                + (version.Aliases.Count > 0 ? $" ({Markup.Escape(string.Join(", ", version.Aliases))})" : ""));
            PrintVersion(version);
        }));
        return command;
    }

    private static Command List()
    {
        var command = new Command("list", "List registered models");
        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            using var client = CommonOptions.CreateClient(parse);
            var models = await client.ListModelsAsync(cancellationToken);
            if (parse.GetValue(CommonOptions.Output) == OutputFormat.Json)
            {
                CommandOutput.Json(models, KilnJsonContext.Default.IReadOnlyListRegisteredModel);
                return;
            }

            var table = new Table().AddColumns("Name", "Latest", "Aliases", "Updated", "Description");
            foreach (var model in models)
            {
                table.AddRow(
                    Markup.Escape(model.Name),
                    model.LatestVersion.ToString(CultureInfo.InvariantCulture),
                    Markup.Escape(string.Join(", ", model.Aliases.Select(a => $"{a.Key}→{a.Value}"))),
                    model.UpdatedAt.ToString("u", CultureInfo.InvariantCulture),
                    Markup.Escape(model.Description ?? ""));
            }

            CommandOutput.Table(table);
        }));
        return command;
    }

    private static Command Show()
    {
        var reference = new Argument<string>("model") { Description = "NAME, NAME@ALIAS or NAME/VERSION" };
        var command = new Command("show", "Show a model version: signature, files, lineage") { reference };
        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            using var client = CommonOptions.CreateClient(parse);
            var version = await client.GetVersionAsync(parse.GetValue(reference)!, cancellationToken);
            if (parse.GetValue(CommonOptions.Output) == OutputFormat.Json)
            {
                CommandOutput.Json(version, KilnJsonContext.Default.ModelVersion);
                return;
            }

            PrintVersion(version);
        }));
        return command;
    }

    private static Command Alias()
    {
        var name = new Argument<string>("name") { Description = "Registered model name" };
        var alias = new Argument<string>("alias") { Description = "Alias, e.g. champion" };
        var version = new Argument<int>("version") { Description = "Version number" };
        var command = new Command("alias", "Point an alias at a version (atomically)") { name, alias, version };
        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            using var client = CommonOptions.CreateClient(parse);
            var result = await client.SetAliasAsync(parse.GetValue(name)!, parse.GetValue(alias)!, parse.GetValue(version), cancellationToken);
            if (parse.GetValue(CommonOptions.Output) == OutputFormat.Json)
            {
                CommandOutput.Json(result, KilnJsonContext.Default.ModelVersion);
                return;
            }

            CommandOutput.Info($"[green]{Markup.Escape(result.ModelName)}@{Markup.Escape(parse.GetValue(alias)!)}[/] → version {result.Version}");
        }));
        return command;
    }

    private static void PrintVersion(ModelVersion version)
    {
        var manifest = version.Manifest;
        var grid = new Grid().AddColumn().AddColumn();
        grid.AddRow("[bold]Model[/]", $"{Markup.Escape(version.ModelName)} / {version.Version}");
        grid.AddRow("[bold]Aliases[/]", Markup.Escape(string.Join(", ", version.Aliases)));
        grid.AddRow("[bold]Flavor[/]", Markup.Escape(manifest.Flavor));
        if (manifest.Metadata.TryGetValue("kiln.engine", out var engine))
        {
            var detail = manifest.Metadata.GetValueOrDefault("kiln.engine.detail");
            grid.AddRow("[bold]Engine[/]", Markup.Escape(detail is null ? engine : $"{engine} ({detail})"));
        }
        grid.AddRow("[bold]Created[/]", version.CreatedAt.ToString("u", CultureInfo.InvariantCulture));
        grid.AddRow("[bold]Source[/]", Markup.Escape(manifest.Source ?? "-"));
        grid.AddRow("[bold]Run[/]", Markup.Escape(manifest.RunId ?? "-"));
        if (version.Description is { } description)
        {
            grid.AddRow("[bold]Description[/]", Markup.Escape(description));
        }

        AnsiConsole.Write(grid);
        var signature = new Table().Title("Signature").AddColumns("Kind", "Name", "Type", "Shape", "Columns");
        foreach (var input in manifest.Signature.Inputs)
        {
            signature.AddRow("input", Markup.Escape(input.Name), input.DataType.ToString(), Markup.Escape($"[{string.Join(",", input.Shape)}]"), Markup.Escape(string.Join(", ", input.Columns ?? [])));
        }

        foreach (var output in manifest.Signature.Outputs)
        {
            signature.AddRow("output", Markup.Escape(output.Name), output.DataType.ToString(), Markup.Escape($"[{string.Join(",", output.Shape)}]"), Markup.Escape(output.Kind ?? ""));
        }

        AnsiConsole.Write(signature);
        var files = new Table().Title("Files").AddColumns("Path", "Size", "SHA-256");
        foreach (var file in manifest.Files)
        {
            files.AddRow(Markup.Escape(file.Path), file.Size.ToString(CultureInfo.InvariantCulture), file.Sha256[..16] + "…");
        }

        AnsiConsole.Write(files);
    }
}
