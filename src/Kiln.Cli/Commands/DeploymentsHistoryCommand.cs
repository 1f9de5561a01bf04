using System.CommandLine;
using System.Globalization;
using Kiln.Cli.Output;
using Kiln.Core.Serialization;
using Spectre.Console;

namespace Kiln.Cli.Commands;

/// <summary><c>kiln deployments history DEPLOYMENT</c>: every revision, newest first — who changed what, when and why.</summary>
internal static class DeploymentsHistoryCommand
{
    public static Command Create()
    {
        var deployment = new Argument<string>("deployment");
        var command = new Command("history", "A deployment's revisions, newest first: who, when, what changed and why") { deployment };
        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            using var client = CommonOptions.CreateClient(parse);
            var revisions = await client.GetHistoryAsync(parse.GetValue(deployment)!, cancellationToken);
            if (parse.GetValue(CommonOptions.Output) == OutputFormat.Json)
            {
                CommandOutput.Json(revisions, KilnJsonContext.Default.IReadOnlyListDeploymentRevision);
                return;
            }

            var table = new Table().AddColumns("Rev", "Time", "Actor", "Change", "Variants", "Reason");
            foreach (var r in revisions)
            {
                table.AddRow(
                    r.Number.ToString(CultureInfo.InvariantCulture), r.CreatedAt.ToString("u", CultureInfo.InvariantCulture), Markup.Escape(r.Actor),
                    Markup.Escape(r.Change), Markup.Escape(VariantText.Summary(r.Variants)), Markup.Escape(r.Reason));
            }

            CommandOutput.Table(table);
        }));
        return command;
    }
}
