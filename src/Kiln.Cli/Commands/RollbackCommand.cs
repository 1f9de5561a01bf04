using System.CommandLine;
using Kiln.Cli.Output;
using Kiln.Core.Serialization;

namespace Kiln.Cli.Commands;

/// <summary><c>kiln rollback DEPLOYMENT [--to-revision N]</c>: restore a previous revision's variants as a new revision.</summary>
internal static class RollbackCommand
{
    public static Command Create()
    {
        var deployment = new Argument<string>("deployment");
        var revision = new Option<int?>("--to-revision") { Description = "The revision to restore (default: the one before the current; see `kiln deployments history`)" };
        var command = new Command("rollback", "Restore a previous revision of a deployment (default: the one before the current)") { deployment, revision };
        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            if (parse.GetValue(revision) is < 1)
            {
                throw new ArgumentException("--to-revision must be a revision number, 1 or more (see `kiln deployments history`).");
            }

            using var client = CommonOptions.CreateClient(parse);
            var view = await client.RollbackAsync(parse.GetValue(deployment)!, parse.GetValue(revision), cancellationToken);
            if (parse.GetValue(CommonOptions.Output) == OutputFormat.Json)
            {
                CommandOutput.Json(view, KilnJsonContext.Default.DeploymentView);
                return;
            }

            VariantText.Changed("Rolled back", view);
        }));
        return command;
    }
}
