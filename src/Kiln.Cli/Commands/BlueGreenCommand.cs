using Kiln.Core;
using System.CommandLine;
using Kiln.Cli.Output;
using Kiln.Core.Monitoring;
using Kiln.Core.Serialization;

namespace Kiln.Cli.Commands;

/// <summary><c>kiln bluegreen DEPLOYMENT --model M/5 [--keep-old 10m]</c>: warm the new version alongside, then flip all traffic at once.</summary>
internal static class BlueGreenCommand
{
    public static Command Create()
    {
        var deployment = new Argument<string>("deployment");
        var model = new Option<string>("--model", "-m") { Description = "The new version: NAME/VERSION, NAME@ALIAS or NAME (latest)", Required = true };
        var keepOld = new Option<string?>("--keep-old") { Description = "How long the old version stays loaded for an instant rollback (default 10m)" };
        var command = new Command("bluegreen", "Load and warm a version alongside, then flip all traffic to it at once") { deployment, model, keepOld };
        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            if (parse.GetValue(keepOld) is { } keep && !DurationText.TryParse(keep, out _))
            {
                throw new ArgumentException($"--keep-old '{keep}' is not a duration; write a number and a unit, e.g. 30s, 10m or 1h.");
            }

            using var client = CommonOptions.CreateClient(parse);
            var view = await client.BlueGreenAsync(parse.GetValue(deployment)!, parse.GetValue(model)!, parse.GetValue(keepOld), cancellationToken);
            if (parse.GetValue(CommonOptions.Output) == OutputFormat.Json)
            {
                CommandOutput.Json(view, KilnJsonContext.Default.DeploymentView);
                return;
            }

            VariantText.Changed("Flipped", view);
        }));
        return command;
    }
}
