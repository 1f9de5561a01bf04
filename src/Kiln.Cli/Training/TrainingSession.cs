using System.Globalization;
using System.Text.Json;
using Kiln.Cli.Commands;
using Kiln.Cli.Output;
using Kiln.Client;
using Kiln.Core.Registry;
using Kiln.Core.Serialization;
using Kiln.Core.Tracking;
using Kiln.Training.Packaging;
using Kiln.Training.Training;
using Spectre.Console;

namespace Kiln.Cli.Training;

/// <summary>
/// Runs a sweep locally with a progress bar, logs every trial to a Kiln server as a run (params,
/// metrics, the dataset, the model package as artifacts), prints the ranking, and registers the
/// best trial with lineage to its run and data when asked.
/// </summary>
internal static class TrainingSession
{
    public sealed record Outcome(SweepResult Sweep, IReadOnlyList<string> RunIds, ModelVersion? Registered);

    public static async Task<Outcome> RunAsync(KilnClient client, TrainSettings settings, CancellationToken cancellationToken)
    {
        var workDir = Directory.CreateTempSubdirectory("kiln-train-").FullName;
        try
        {
            var sweep = await SweepWithProgressAsync(settings, workDir, cancellationToken);
            var runIds = await LogTrialsAsync(client, settings, sweep, cancellationToken);
            PrintRanking(sweep, runIds);
            ModelVersion? registered = null;
            if (settings.RegisterAs is { } model)
            {
                registered = await RegisterBestAsync(client, settings, sweep, runIds[0], model, cancellationToken);
                CommandOutput.Info($"[green]Registered[/] {Markup.Escape(registered.ModelName)} version {registered.Version}"
                    + (settings.Alias is { } alias ? $" as @{Markup.Escape(alias)}" : "") + $" from run {runIds[0]}");
            }

            return new Outcome(sweep, runIds, registered);
        }
        finally
        {
            Directory.Delete(workDir, recursive: true);
        }
    }

    private static async Task<SweepResult> SweepWithProgressAsync(TrainSettings settings, string workDir, CancellationToken cancellationToken)
    {
        var options = new SweepOptions
        {
            DataPath = settings.DataPath,
            Label = settings.Label,
            OutputDirectory = workDir,
            Task = settings.Task,
            Algorithms = settings.Algorithms ?? SweepAlgorithms.All,
            Trials = settings.Trials,
            ExcludeColumns = settings.ExcludeColumns,
            Seed = settings.Seed,
        };
        SweepResult? result = null;
        await CommandOutput.Error.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new SpinnerColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask($"Training {settings.Trials} trials", maxValue: settings.Trials);
                var progress = new InlineProgress(p =>
                {
                    task.MaxValue = Math.Max(1, p.Total);
                    task.Value = p.Completed;
                    task.Description = Markup.Escape(p.Message.Length <= 60 ? p.Message : p.Message[..60]);
                });
                result = await new SweepTrainer().RunAsync(options, progress, cancellationToken);
                task.Value = task.MaxValue;
            });
        return result!;
    }

    private static async Task<IReadOnlyList<string>> LogTrialsAsync(KilnClient client, TrainSettings settings, SweepResult sweep, CancellationToken cancellationToken)
    {
        var dataset = new DatasetInput(sweep.Dataset.Name, sweep.Dataset.Digest, "local", sweep.Dataset.Source, sweep.Dataset.Schema,
            JsonSerializer.Serialize(sweep.Dataset.Profile, KilnJsonContext.Default.DataProfile), "training");
        var ids = new List<string>();
        var rank = 1;
        foreach (var trial in sweep.Trials)
        {
            await using var run = await client.StartRunAsync(settings.Experiment, $"{trial.Algorithm}-{trial.Index}", new Dictionary<string, string>
            {
                ["kiln.source"] = "kiln train",
                ["kiln.rank"] = rank.ToString(CultureInfo.InvariantCulture),
                ["kiln.primary_metric"] = sweep.PrimaryMetric,
            }, cancellationToken);
            var parameters = new Dictionary<string, string>(trial.Parameters)
            {
                ["algorithm"] = trial.Algorithm,
                ["label"] = settings.Label,
                ["seed"] = settings.Seed.ToString(CultureInfo.InvariantCulture),
                ["excluded_columns"] = string.Join(',', sweep.Schema.ExcludedColumns),
            };
            await run.LogParamsAsync(parameters, cancellationToken);
            await run.LogMetricsAsync(trial.Metrics, cancellationToken: cancellationToken);
            await run.LogInputAsync(dataset, cancellationToken);
            await run.LogArtifactsAsync(trial.PackageDirectory, "model", cancellationToken);
            ids.Add(run.Id);
            rank++;
        }

        return ids;
    }

    private static async Task<ModelVersion> RegisterBestAsync(KilnClient client, TrainSettings settings, SweepResult sweep, string runId, string model, CancellationToken cancellationToken)
    {
        var best = sweep.Best;
        var manifest = MlNetPackage.ReadManifest(best.PackageDirectory);
        var metadata = new Dictionary<string, string>(manifest.Metadata)
        {
            ["dataset.name"] = sweep.Dataset.Name,
            ["dataset.digest"] = sweep.Dataset.Digest,
            ["dataset.source"] = sweep.Dataset.Source,
            ["experiment"] = settings.Experiment,
        };
        MlNetPackage.WriteManifest(best.PackageDirectory, manifest with { Metadata = metadata, RunId = runId, Source = $"runs:/{runId}/model" });
        return await client.RegisterAsync(model, best.PackageDirectory, new RegisterOptions
        {
            Alias = settings.Alias,
            RunId = runId,
            Source = $"runs:/{runId}/model",
            Description = $"{best.Algorithm} trained by kiln train on {sweep.Dataset.Name} ({sweep.PrimaryMetric} {Format(best.Metrics[sweep.PrimaryMetric])})",
        }, cancellationToken);
    }

    private static void PrintRanking(SweepResult sweep, IReadOnlyList<string> runIds)
    {
        var metrics = MetricColumns.Pick(sweep.Trials[0].Metrics.Keys.Prepend(sweep.PrimaryMetric), 4);
        var table = new Table().Title($"Trials ranked by {Markup.Escape(sweep.PrimaryMetric)} ({(sweep.HigherIsBetter ? "higher" : "lower")} is better)")
            .AddColumns("#", "Run", "Algorithm");
        foreach (var metric in metrics)
        {
            table.AddColumn(new TableColumn(Markup.Escape(metric)).RightAligned());
        }

        table.AddColumn(new TableColumn("Time").RightAligned());
        for (var i = 0; i < sweep.Trials.Count; i++)
        {
            var trial = sweep.Trials[i];
            table.AddRow([(i + 1).ToString(CultureInfo.InvariantCulture), runIds[i][..8], Markup.Escape(trial.Algorithm),
                .. metrics.Select(m => trial.Metrics.TryGetValue(m, out var v) ? Format(v) : ""),
                $"{trial.TrainingTime.TotalSeconds:0.0}s"]);
        }

        CommandOutput.Error.Write(table);
        CommandOutput.Info($"Dataset {Markup.Escape(sweep.Dataset.Name)} ({sweep.Dataset.Rows} rows, digest {sweep.Dataset.Digest}); sweep took {sweep.Elapsed.TotalSeconds:0.0}s.");
    }

    private static string Format(double value) => value.ToString("0.0000", CultureInfo.InvariantCulture);

    /// <summary>Reports progress on the caller's thread of the event (Progress&lt;T&gt; would post to the thread pool and lag).</summary>
    private sealed class InlineProgress(Action<TrialProgress> report) : IProgress<TrialProgress>
    {
        public void Report(TrialProgress value) => report(value);
    }
}
