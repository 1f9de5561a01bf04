using System.CommandLine;
using System.Globalization;
using Kiln.Cli.Output;
using Kiln.Core.Api;
using Kiln.Core.Deployments;
using Kiln.Core.Serialization;
using Spectre.Console;

namespace Kiln.Cli.Commands;

/// <summary><c>kiln deploy</c> and <c>kiln deployments list|show|delete|history</c>.</summary>
internal static class DeployCommand
{
    public static Command CreateDeploy()
    {
        var name = new Argument<string>("deployment") { Description = "Deployment (endpoint) name" };
        var model = new Option<string>("--model", "-m") { Description = "NAME@ALIAS, NAME/VERSION or NAME (latest)", Required = true };
        var sample = new Option<double?>("--log-sample") { Description = "Share of requests written to the prediction log, 0–1 (default: keep; 1 for a new deployment)" };
        var batchRows = new Option<int?>("--max-batch-rows") { Description = "Dynamic batching: the most rows one model call takes (2–65536; 0 turns batching off; default: keep, off for a new deployment)" };
        var batchDelay = new Option<int?>("--max-batch-delay-us") { Description = "Dynamic batching: how long, in microseconds, a request waits for others to join its batch (default 500)" };
        var runtime = new Option<string?>("--runtime")
        {
            Description = "compiled: tree models served by Kiln's compiled tree engine where it covers them (default for a new deployment); reference: always the model format's own runtime (ONNX Runtime)",
        };
        runtime.AcceptOnlyFromAmong("compiled", "reference");
        var command = new Command("deploy", "Create or update a deployment; returns once the version is warm and serving") { name, model, sample, batchRows, batchDelay, runtime };
        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            using var client = CommonOptions.CreateClient(parse);
            var batching = Batching(parse.GetValue(batchRows), parse.GetValue(batchDelay));
            var view = await client.DeployAsync(parse.GetValue(name)!, parse.GetValue(model)!, new DeploymentSettingsChange(parse.GetValue(sample), Batching: batching, ReferenceRuntime: parse.GetValue(runtime) is { } choice ? choice == "reference" : null), cancellationToken);
            if (parse.GetValue(CommonOptions.Output) == OutputFormat.Json)
            {
                CommandOutput.Json(view, KilnJsonContext.Default.DeploymentView);
                return;
            }

            VariantText.Changed("Deployed", view);
            PrintEndpoints(parse.GetValue(CommonOptions.Server)!, view);
        }));
        return command;
    }

    public static Command CreateDeployments()
    {
        var command = new Command("deployments", "List, show and delete deployments; their revision history");
        var list = new Command("list", "List deployments");
        list.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            using var client = CommonOptions.CreateClient(parse);
            var views = await client.ListDeploymentsAsync(cancellationToken);
            if (parse.GetValue(CommonOptions.Output) == OutputFormat.Json)
            {
                CommandOutput.Json(views, KilnJsonContext.Default.IReadOnlyListDeploymentView);
                return;
            }

            // One line per variant in the Variants cell: an A/B split, a canary or a shadow shows in full.
            var table = new Table().AddColumns("Deployment", "Variants", "Requested", "Status", "Revision", "Updated");
            foreach (var view in views)
            {
                var variants = view.Deployment.Variants;
                table.AddRow(
                    Markup.Escape(view.Deployment.Name), Markup.Escape(string.Join('\n', variants.Select(VariantText.One))),
                    Markup.Escape(string.Join('\n', variants.Select(v => v.Requested))), Markup.Escape(view.Status),
                    view.Deployment.Revision.ToString(CultureInfo.InvariantCulture), view.Deployment.UpdatedAt.ToString("u", CultureInfo.InvariantCulture));
            }

            CommandOutput.Table(table);
        }));

        var showName = new Argument<string>("deployment");
        var show = new Command("show", "Show a deployment and its endpoints") { showName };
        show.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            using var client = CommonOptions.CreateClient(parse);
            var view = await client.GetDeploymentAsync(parse.GetValue(showName)!, cancellationToken);
            if (parse.GetValue(CommonOptions.Output) == OutputFormat.Json)
            {
                CommandOutput.Json(view, KilnJsonContext.Default.DeploymentView);
                return;
            }

            var deployment = view.Deployment;
            CommandOutput.Info($"{Markup.Escape(deployment.Name)}: {Markup.Escape(VariantText.Summary(deployment.Variants))}, revision {deployment.Revision}, {Markup.Escape(view.Status)}{(view.Error is { } e ? ": " + Markup.Escape(e) : "")}");
            CommandOutput.Table(VariantText.Table(deployment.Variants, view.Traffic));
            CommandOutput.Info($"Prediction log: {deployment.LogSampleRate:P0} of requests; batching: {Markup.Escape(deployment.Batching?.ToString() ?? "off")}; runtime: {(deployment.ReferenceRuntime ? "reference (the model format's own)" : "compiled where covered")}");
            if (deployment.Canary is { } canary)
            {
                CommandOutput.Info($"Canary at step {canary.Step + 1}/{canary.Policy.Steps.Count} since {canary.StepStartedAt:u} ({(canary.Automatic ? "automated analysis" : "stepped by hand")}): `kiln canary status {Markup.Escape(deployment.Name)}`");
            }

            PrintEndpoints(parse.GetValue(CommonOptions.Server)!, view);
        }));

        var deleteName = new Argument<string>("deployment");
        var delete = new Command("delete", "Delete a deployment") { deleteName };
        delete.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            using var client = CommonOptions.CreateClient(parse);
            await client.DeleteDeploymentAsync(parse.GetValue(deleteName)!, cancellationToken);
            CommandOutput.Info($"[green]Deleted[/] {Markup.Escape(parse.GetValue(deleteName)!)}");
        }));

        command.Subcommands.Add(list);
        command.Subcommands.Add(show);
        command.Subcommands.Add(delete);
        command.Subcommands.Add(DeploymentsHistoryCommand.Create());
        return command;
    }

    /// <summary>The batching policy the options ask for: none when neither is given; a delay alone needs the rows.</summary>
    private static BatchingPolicy? Batching(int? maxRows, int? maxDelayMicroseconds) => (maxRows, maxDelayMicroseconds) switch
    {
        (null, null) => null,
        (null, _) => throw new Kiln.Core.KilnException(Kiln.Core.Errors.KilnErrorKind.Invalid, "--max-batch-delay-us needs --max-batch-rows (give both to change batching)."),
        ({ } rows, var delay) => new BatchingPolicy(rows, delay ?? 500),
    };

    private static void PrintEndpoints(string server, DeploymentView view)
    {
        var root = server.TrimEnd('/');
        var table = new Table().AddColumns("Protocol", "URL");
        table.AddRow("Open Inference Protocol v2", Markup.Escape(root + view.Endpoints.V2));
        table.AddRow("KServe v1", Markup.Escape(root + view.Endpoints.V1));
        table.AddRow("MLflow scoring", Markup.Escape(root + view.Endpoints.Mlflow));
        CommandOutput.Table(table);
    }
}
