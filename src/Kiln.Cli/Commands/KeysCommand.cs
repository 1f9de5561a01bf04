using System.CommandLine;
using System.Globalization;
using Kiln.Cli.Output;
using Kiln.Core.Security;
using Kiln.Core.Serialization;
using Spectre.Console;

namespace Kiln.Cli.Commands;

/// <summary><c>kiln keys create|list|revoke</c>: API keys (admin only).</summary>
internal static class KeysCommand
{
    public static Command Create()
    {
        var command = new Command("keys", "Create, list and revoke API keys (needs an admin key)");

        var name = new Option<string>("--name") { Description = "A name for the key, e.g. ci-pipeline", Required = true };
        var role = new Option<KilnRole>("--role") { Description = "viewer, predictor, deployer or admin", Required = true };
        var create = new Command("create", "Create a key; its secret is shown only once") { name, role };
        create.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            using var client = CommonOptions.CreateClient(parse);
            var created = await client.CreateKeyAsync(parse.GetValue(name)!, parse.GetValue(role), cancellationToken);
            if (parse.GetValue(CommonOptions.Output) == OutputFormat.Json)
            {
                CommandOutput.Json(created, KilnJsonContext.Default.CreatedApiKey);
                return;
            }

            CommandOutput.Info($"[green]Created[/] key {created.Info.Id} ({created.Info.Role.ToString().ToLowerInvariant()}). Shown only this once:");
            Console.Out.WriteLine(created.Key);
        }));

        var list = new Command("list", "List keys (never their secrets)");
        list.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            using var client = CommonOptions.CreateClient(parse);
            var keys = await client.ListKeysAsync(cancellationToken);
            if (parse.GetValue(CommonOptions.Output) == OutputFormat.Json)
            {
                CommandOutput.Json(keys, KilnJsonContext.Default.IReadOnlyListApiKeyInfo);
                return;
            }

            var table = new Table().AddColumns("Id", "Name", "Role", "Prefix", "Created", "Revoked");
            foreach (var key in keys)
            {
                table.AddRow(key.Id, Markup.Escape(key.Name), key.Role.ToString().ToLowerInvariant(), Markup.Escape(key.Prefix) + "…",
                    key.CreatedAt.ToString("u", CultureInfo.InvariantCulture), key.RevokedAt?.ToString("u", CultureInfo.InvariantCulture) ?? "");
            }

            CommandOutput.Table(table);
        }));

        var id = new Argument<string>("id") { Description = "The key's id (from kiln keys list)" };
        var revoke = new Command("revoke", "Revoke a key") { id };
        revoke.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            using var client = CommonOptions.CreateClient(parse);
            await client.RevokeKeyAsync(parse.GetValue(id)!, cancellationToken);
            CommandOutput.Info($"[green]Revoked[/] {Markup.Escape(parse.GetValue(id)!)}");
        }));

        command.Subcommands.Add(create);
        command.Subcommands.Add(list);
        command.Subcommands.Add(revoke);
        return command;
    }
}
