using Kiln.Core;
using System.CommandLine;
using System.Diagnostics;
using System.Net;
using Kiln.Cli.Output;
using Kiln.Cli.Quickstart;
using Kiln.Core.Api;
using Kiln.Core.Monitoring;
using Kiln.Core.Monitoring.Alerts;
using Kiln.Cli.Training;
using Kiln.Client;
using Kiln.Server;
using Kiln.Training.Data;
using Kiln.Training.Demo;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Spectre.Console;

namespace Kiln.Cli.Commands;

/// <summary>
/// <c>kiln quickstart</c>: Kiln's main job end to end on the embedded store — demo data, a tracked
/// training sweep, the best model registered as <c>bank-marketing@champion</c>, deployed, and served
/// with a copy-paste request for every protocol. Running it again reuses what exists.
/// </summary>
internal static class QuickstartCommand
{
    public const string ModelName = "bank-marketing";
    public const string ReadyLine = "Kiln quickstart is serving.";

    public static Command Create()
    {
        var dataDir = new Option<string>("--data-dir") { Description = "Folder for the store, artifacts and demo data", DefaultValueFactory = _ => "./kiln-data" };
        var urls = new Option<string>("--urls") { Description = "Address to serve on", DefaultValueFactory = _ => "http://127.0.0.1:5080" };
        var rows = new Option<int>("--rows") { Description = "Demo rows to generate", DefaultValueFactory = _ => 45211 };
        var trials = new Option<int>("--trials") { Description = "Training trials", DefaultValueFactory = _ => 6 };
        var quick = new Option<bool>("--short") { Description = "A short run (10,000 rows, 3 trials): for tests and slow machines" };
        var noTraffic = new Option<bool>("--no-traffic") { Description = "Don't simulate client traffic, ground truth and the drift episode" };
        var driftAfter = new Option<string>("--drift-after") { Description = "When the simulated drift episode starts (e.g. 2m)", DefaultValueFactory = _ => "2m" };
        var canaryInterval = new Option<string>("--canary-interval") { Description = "How long the retraining pipeline's canary judges each step (e.g. 1m)", DefaultValueFactory = _ => "1m" };
        var command = new Command("quickstart", "Demo data → tracked training sweep → registry → a live endpoint with simulated traffic, ground truth, drift, alerts and a retraining pipeline, on the embedded store")
        {
            dataDir, urls, rows, trials, quick, noTraffic, driftAfter, canaryInterval,
        };
        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(() => RunAsync(
            Path.GetFullPath(parse.GetValue(dataDir)!),
            parse.GetValue(urls)!,
            parse.GetValue(quick) ? 10_000 : parse.GetValue(rows),
            parse.GetValue(quick) ? 3 : parse.GetValue(trials),
            parse.GetValue(noTraffic) ? null : TrafficPlan.Default with { DriftAfter = DurationText.Parse(parse.GetValue(driftAfter)!, "--drift-after") },
            new Dictionary<string, string> { ["canary_interval"] = DurationText.Format(DurationText.Parse(parse.GetValue(canaryInterval)!, "--canary-interval")) },
            parse.GetValue(quick),
            cancellationToken)));
        return command;
    }

    private static async Task RunAsync(string dataDir, string url, int rows, int trials, TrafficPlan? traffic, IReadOnlyDictionary<string, string> pipelineDefaults, bool quick,
        CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        CommandOutput.Info($"[bold]Kiln quickstart[/] in {Markup.Escape(dataDir)}");
        // The dashboard first: a newcomer can open it now and watch training, the canary and the drift episode arrive.
        CommandOutput.Info($"[bold]Dashboard:[/] {Markup.Escape(url.TrimEnd('/'))}/ (open it now; it fills in as the steps below finish)");
        var csv = Path.Combine(dataDir, "demo", "bank-marketing.csv");
        if (!File.Exists(csv))
        {
            BankMarketingGenerator.WriteFile(csv, rows, seed: 42);
            CommandOutput.Info($"[green]✓[/] Generated {rows:N0} demo rows (UCI Bank Marketing schema) in {Markup.Escape(csv)}");
        }
        else
        {
            CommandOutput.Info($"[green]✓[/] Reusing demo data {Markup.Escape(csv)}");
        }

        var app = KilnServer.Build([], new Dictionary<string, string?>
        {
            ["urls"] = url,
            ["Kiln:Storage:DataDir"] = dataDir,
            ["Kiln:Auth:Enabled"] = "false",
            ["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Warning",
        }, builder => builder.Services.Configure<ConsoleLoggerOptions>(options => options.LogToStandardErrorThreshold = LogLevel.Trace));
        await app.StartAsync(cancellationToken);
        CommandOutput.Info("[yellow bold]! Authentication is OFF for this quickstart: anyone who can reach this address is an admin. Use `kiln serve` for anything shared.[/]");
        using var client = new KilnClient(new Uri(url.TrimEnd('/') + "/"));

        var champion = await FindChampionAsync(client, cancellationToken);
        if (champion is null)
        {
            await TrainingSession.RunAsync(client, new TrainSettings
            {
                DataPath = csv,
                Label = "y",
                Task = TrainingTask.Binary,
                Trials = trials,
                Experiment = ModelName,
                ExcludeColumns = ["duration"],
                Seed = 42,
                RegisterAs = ModelName,
                Alias = "champion",
            }, cancellationToken);
        }
        else
        {
            CommandOutput.Info($"[green]✓[/] Reusing {ModelName}@champion (version {champion.Version})");
        }

        var candidate = await CandidateAsync(client, dataDir, rows, cancellationToken);
        var deployment = await client.DeployAsync(ModelName, $"{ModelName}@champion", cancellationToken);
        CommandOutput.Info($"[green]✓[/] Deployed {ModelName} → {ModelName}/{deployment.Deployment.Primary.ModelVersion}, ready after {clock.Elapsed.TotalSeconds:0.0}s");
        QuickstartGuide.Print(url.TrimEnd('/'), csv);
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, app.Lifetime.ApplicationStopping);
        Task simulation = Task.CompletedTask;
        using var http = new HttpClient { BaseAddress = new Uri(url.TrimEnd('/') + "/") };
        if (traffic is not null)
        {
            await EnsureDriftAlertAsync(client, quick, cancellationToken);
            await RetrainPipeline.ApplyAsync(client, pipelineDefaults, cancellationToken);
            await StartCanaryAsync(client, deployment.Deployment, candidate, cancellationToken);
            var simulator = new TrafficSimulator(http, client, ModelName, traffic);
            simulation = Task.Run(() => simulator.RunAsync(stopping.Token), CancellationToken.None);
            QuickstartGuide.PrintMonitoring(url.TrimEnd('/'), traffic);
        }

        CommandOutput.Info($"[bold green]{ReadyLine}[/] Press Ctrl+C to stop.");
        await app.WaitForShutdownAsync(cancellationToken);
        await simulation;
    }

    /// <summary>
    /// A second candidate, trained on "more recent" data (a fresh sample of the same generator, so the
    /// drift episode later shifts away from both versions' training profiles alike),
    /// registered as <c>bank-marketing@candidate</c>; reused when it exists.
    /// </summary>
    private static async Task<Core.Registry.ModelVersion> CandidateAsync(KilnClient client, string dataDir, int rows, CancellationToken cancellationToken)
    {
        try
        {
            var existing = await client.GetVersionAsync($"{ModelName}@candidate", cancellationToken);
            CommandOutput.Info($"[green]✓[/] Reusing {ModelName}@candidate (version {existing.Version})");
            return existing;
        }
        catch (KilnApiException e) when (e.Status == HttpStatusCode.NotFound)
        {
            var recent = Path.Combine(dataDir, "demo", "bank-marketing-recent.csv");
            BankMarketingGenerator.WriteFile(recent, rows, seed: 43);
            CommandOutput.Info($"[green]✓[/] Generated {rows:N0} more recent rows for a second candidate in {Markup.Escape(recent)}");
            var outcome = await TrainingSession.RunAsync(client, new TrainSettings
            {
                DataPath = recent,
                Label = "y",
                Task = TrainingTask.Binary,
                Trials = 2,
                Experiment = ModelName,
                ExcludeColumns = ["duration"],
                Seed = 43,
                RegisterAs = ModelName,
                Alias = "candidate",
            }, cancellationToken);
            return outcome.Registered!;
        }
    }

    /// <summary>
    /// A canary of the candidate against the champion with automated analysis: 10 → 50 → 100 % a minute a step, judged on
    /// errors, latency and (with ground truth) accuracy; promoted to champion, or rolled back with its reasons.
    /// </summary>
    private static async Task StartCanaryAsync(KilnClient client, Core.Deployments.Deployment deployment, Core.Registry.ModelVersion candidate, CancellationToken cancellationToken)
    {
        if (deployment.Canary is not null || deployment.Variants.Any(v => v.ModelVersion == candidate.Version))
        {
            return;
        }

        await client.StartCanaryAsync(ModelName, new CanaryRequest(
            $"{ModelName}/{candidate.Version}", Steps: [10, 50, 100], Interval: "1m", MinRequests: 30, QualityMetric: "accuracy", QualityMargin: 0.03, MinLabels: 100,
            PromoteAlias: "champion"), cancellationToken);
        CommandOutput.Info($"[green]✓[/] Canary of {ModelName}/{candidate.Version} started at 10 % beside version {deployment.Primary.ModelVersion}; watch it with `kiln canary status {ModelName}` and `kiln deployments history {ModelName}`");
    }

    /// <summary>
    /// The alert the drift episode trips: a fifth of the features or more drifted over the last two minutes, for 30 s
    /// (the last minute, for 15 s, in the short run). The episode shifts age, balance, job and contact (4 of the model's
    /// 15 features). It also starts the retraining pipeline.
    /// </summary>
    private static async Task EnsureDriftAlertAsync(KilnClient client, bool quick, CancellationToken cancellationToken)
    {
        const string name = "quickstart-dataset-drift";
        var rules = await client.ListAlertRulesAsync(cancellationToken);
        if (rules.Any(r => r.Name == name))
        {
            return;
        }

        await client.CreateAlertRuleAsync(new AlertRuleRequest(
            Name: name, Kind: "dataset_drift", Threshold: 0.2, Deployment: ModelName, Comparison: "ge", Window: quick ? "1m" : "2m", For: quick ? "15s" : "30s",
            Severity: "warning", Description: "A fifth of the features or more drifted from the training data; starts the bank-retrain pipeline."), cancellationToken);
    }

    private static async Task<Core.Registry.ModelVersion?> FindChampionAsync(KilnClient client, CancellationToken cancellationToken)
    {
        try
        {
            return await client.GetVersionAsync($"{ModelName}@champion", cancellationToken);
        }
        catch (KilnApiException e) when (e.Status == HttpStatusCode.NotFound)
        {
            return null;
        }
    }
}
