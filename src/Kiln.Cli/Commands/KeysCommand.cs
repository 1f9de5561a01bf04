using System.CommandLine;
using System.Globalization;
using Kiln.Cli.Output;
using Kiln.Core.Api;
using Kiln.Core.Security;
using Kiln.Core.Serialization;
using Spectre.Console;

namespace Kiln.Cli.Commands;

/// <summary><c>kiln keys create|list|rotate|revoke</c>: API keys (admin only).</summary>
internal static class KeysCommand
{
    public static Command Create()
    {
        var command = new Command("keys", "Create, list, rotate and revoke API keys (needs an admin key)");

        var name = new Option<string?>("--name") { Description = "A name for the key, e.g. ci-pipeline (default: the role and its deployments)" };
        var role = new Option<KilnRole>("--role") { Description = "viewer, predictor, deployer or admin", Required = true };
        var deployments = new Option<string?>("--deployments") { Description = "Limit the key to these deployments, comma-separated (e.g. bank,churn): it may call only their endpoints" };
        var expires = new Option<string?>("--expires") { Description = "When the key stops working: a duration from now (90d) or an ISO 8601 time (default: never)" };
        var create = new Command("create", "Create a key; its secret is shown only once") { name, role, deployments, expires };
        create.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            using var client = CommonOptions.CreateClient(parse);
            var scope = parse.GetValue(deployments)?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            var keyRole = parse.GetValue(role);
            var keyName = parse.GetValue(name) ?? (scope is null ? keyRole.ToString().ToLowerInvariant() : $"{keyRole.ToString().ToLowerInvariant()}-{string.Join('-', scope)}");
            var created = await client.CreateKeyAsync(new CreateApiKeyRequest(keyName, keyRole, scope, parse.GetValue(expires)), cancellationToken);
            if (parse.GetValue(CommonOptions.Output) == OutputFormat.Json)
            {
                CommandOutput.Json(created, KilnJsonContext.Default.CreatedApiKey);
                return;
            }

            CommandOutput.Info($"[green]Created[/] key {created.Info.Id} ({Markup.Escape(Describe(created.Info))}). Shown only this once:");
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

            var table = new Table().AddColumns("Id", "Name", "Role", "Deployments", "Prefix", "Created", "Expires", "Revoked");
            foreach (var key in keys)
            {
                table.AddRow(key.Id, Markup.Escape(key.Name), key.Role.ToString().ToLowerInvariant(), Markup.Escape(key.Deployments is { } d ? string.Join(",", d) : "all"),
                    Markup.Escape(key.Prefix) + "…", key.CreatedAt.ToString("u", CultureInfo.InvariantCulture),
                    key.ExpiresAt?.ToString("u", CultureInfo.InvariantCulture) ?? "", key.RevokedAt?.ToString("u", CultureInfo.InvariantCulture) ?? "");
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

        var rotateId = new Argument<string>("id") { Description = "The key to replace (from kiln keys list)" };
        var overlap = new Option<string?>("--overlap") { Description = "How long the old key keeps working beside the new one (default 1d)" };
        var rotate = new Command("rotate", "Issue a new key like this one; the old one works until the overlap ends, so clients switch without downtime") { rotateId, overlap };
        rotate.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            using var client = CommonOptions.CreateClient(parse);
            var rotated = await client.RotateKeyAsync(parse.GetValue(rotateId)!, parse.GetValue(overlap), cancellationToken);
            if (parse.GetValue(CommonOptions.Output) == OutputFormat.Json)
            {
                CommandOutput.Json(rotated, KilnJsonContext.Default.RotatedApiKey);
                return;
            }

            var oldEnd = rotated.Previous.ExpiresAt?.ToString("u", CultureInfo.InvariantCulture);
            CommandOutput.Info($"[green]Rotated[/] {rotated.Previous.Id}: it works until {oldEnd}. New key {rotated.Info.Id} ({Markup.Escape(Describe(rotated.Info))}), shown only this once:");
            Console.Out.WriteLine(rotated.Key);
        }));

        command.Subcommands.Add(create);
        command.Subcommands.Add(rotate);
        command.Subcommands.Add(list);
        command.Subcommands.Add(revoke);
        return command;
    }

    private static string Describe(ApiKeyInfo key) =>
        key.Role.ToString().ToLowerInvariant()
        + (key.Deployments is { } scope ? $", deployments {string.Join(",", scope)}" : string.Empty)
        + (key.ExpiresAt is { } expires ? $", expires {expires.ToString("u", CultureInfo.InvariantCulture)}" : string.Empty);
}
