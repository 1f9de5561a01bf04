using System.CommandLine;
using System.Globalization;
using Kiln.Cli.Output;
using Kiln.Client;
using Kiln.Core.Audit;
using Kiln.Core.Serialization;
using Spectre.Console;

namespace Kiln.Cli.Commands;

/// <summary><c>kiln audit</c>: who changed what, when and from where (admin only).</summary>
internal static class AuditCommand
{
    public static Command Create()
    {
        var since = new Option<string?>("--since") { Description = "Events at or after this time: ISO 8601 or a duration before now (default 1d)" };
        var until = new Option<string?>("--until") { Description = "Events before this time" };
        var actor = new Option<string?>("--actor") { Description = "Events by this key id (or system, anonymous)" };
        var action = new Option<string?>("--action") { Description = "Events whose action contains this text, e.g. aliases, DELETE, /api/keys" };
        var target = new Option<string?>("--target") { Description = "Events on paths starting with this, e.g. /api/models/bank" };
        var limit = new Option<int>("--limit") { Description = "At most this many events (default 100; --export takes all)", DefaultValueFactory = _ => 100 };
        var export = new Option<string?>("--export") { Description = "Write every matching event to this file: .csv or .jsonl" };
        var command = new Command("audit", "Show the audit log: every change, who made it, when, from where, before and after (needs an admin key)")
        {
            since, until, actor, action, target, limit, export,
        };
        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            using var client = CommonOptions.CreateClient(parse);
            var filter = new AuditFilter(parse.GetValue(since) ?? "1d", parse.GetValue(until), parse.GetValue(actor), parse.GetValue(action), parse.GetValue(target));
            if (parse.GetValue(export) is { } file)
            {
                var format = Path.GetExtension(file).ToLowerInvariant() switch
                {
                    ".csv" => "csv",
                    ".jsonl" or ".ndjson" => "jsonl",
                    _ => throw new ArgumentException("--export: the file must end in .csv or .jsonl."),
                };
                await using (var stream = File.Create(file))
                {
                    await client.ExportAuditAsync(filter, format, stream, cancellationToken);
                }

                CommandOutput.Info($"[green]Exported[/] the audit log to {Markup.Escape(file)}");
                return;
            }

            var page = await client.GetAuditAsync(filter, limit: Math.Clamp(parse.GetValue(limit), 1, 1000), cancellationToken: cancellationToken);
            if (parse.GetValue(CommonOptions.Output) == OutputFormat.Json)
            {
                CommandOutput.Json(page, KilnJsonContext.Default.AuditPage);
                return;
            }

            var table = new Table().AddColumns("When", "Who", "What", "Target", "Status", "From", "Change");
            foreach (var e in page.Events)
            {
                table.AddRow(
                    e.At.ToString("u", CultureInfo.InvariantCulture), Markup.Escape($"{e.ActorName} ({e.Actor})"), Markup.Escape(e.Action), Markup.Escape(e.Target),
                    e.Status.ToString(CultureInfo.InvariantCulture), Markup.Escape(e.Address ?? ""), Markup.Escape(Change(e)));
            }

            CommandOutput.Table(table);
            if (page.Next is not null)
            {
                CommandOutput.Info($"[grey]More events match: narrow the filters, raise --limit, or --export them all.[/]");
            }
        }));
        return command;
    }

    private static string Change(AuditEvent e) => (e.Before, e.After) switch
    {
        (null, null) => "",
        (null, { } after) => "+ " + Short(after),
        ({ } before, null) => "- " + Short(before),
        ({ } before, { } after) => Short(before) + " → " + Short(after),
    };

    private static string Short(string json) => json.Length <= 80 ? json : json[..80] + "…";
}
