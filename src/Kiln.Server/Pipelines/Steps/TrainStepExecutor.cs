using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Kiln.Core.Packaging;
using Kiln.Core.Serialization;
using Kiln.Core.Tracking;
using Kiln.Pipelines.Definitions;
using Kiln.Pipelines.Execution;
using Kiln.Training.Data;
using Kiln.Training.Packaging;
using Kiln.Training.Training;

namespace Kiln.Server.Pipelines.Steps;

/// <summary>
/// A train step: the built-in sweep on the step's data, every trial logged as a tracked run (parameters, metrics,
/// the dataset, its model package) in the step's experiment, as <c>kiln train</c> does. Outputs the best trial's run
/// and package, and the validation rows no trial trained on (for a fair evaluate step).
/// </summary>
internal sealed class TrainStepExecutor(PipelineArtifacts artifacts, ITrackingStore tracking, IArtifactStore store) : IStepExecutor
{
    public string Kind => StepKinds.Train;

    public async Task<JsonObject> ExecuteAsync(StepExecution step, CancellationToken cancellationToken)
    {
        var scratch = Directory.CreateTempSubdirectory("kiln-train-").FullName;
        try
        {
            var data = await artifacts.FetchDatasetAsync(step.Inputs["data"], scratch, "data", cancellationToken);
            var options = new SweepOptions
            {
                DataPath = data,
                Label = step.Text("label")!,
                OutputDirectory = Path.Combine(scratch, "trials"),
                Task = step.Text("task") is { } task ? TrainingTasks.Parse(task) : null,
                Algorithms = step.List("algorithms") ?? SweepAlgorithms.All,
                Trials = (int)Math.Clamp(step.Integer("trials") ?? 6, 1, 200),
                ExcludeColumns = step.List("exclude_columns") ?? [],
                Seed = (int)(step.Integer("seed") ?? 1),
            };
            SweepResult sweep;
            try
            {
                sweep = await new SweepTrainer().RunAsync(options, new LogProgress(step.Log), cancellationToken);
            }
            catch (Kiln.Core.KilnException e)
            {
                throw new StepFailedException(e.Message); // bad data or label: another attempt would fail the same way
            }

            var experiment = step.Text("experiment", step.Pipeline)!;
            var runIds = await LogTrialsAsync(step, sweep, experiment, cancellationToken);
            var best = sweep.Best;
            var holdoutPath = Path.Combine(scratch, "holdout.csv");
            await using (var writer = new StreamWriter(holdoutPath, false, new UTF8Encoding(false)))
            {
                sweep.WriteValidationCsv(writer);
            }

            var package = await artifacts.PutPackageAsync(best.PackageDirectory, cancellationToken);
            var holdout = await artifacts.PutDatasetAsync(holdoutPath, sweep.ValidationRows.Count, cancellationToken);
            var score = best.Metrics.GetValueOrDefault(sweep.PrimaryMetric);
            step.Log.Write(string.Create(CultureInfo.InvariantCulture,
                $"best: {best.Algorithm} (run {runIds[0]}) with {sweep.PrimaryMetric} {score:0.0000}; {sweep.ValidationRows.Count} held-out rows kept"));
            return new JsonObject
            {
                ["run_id"] = runIds[0],
                ["package"] = package,
                ["metric"] = sweep.PrimaryMetric,
                ["score"] = score,
                ["algorithm"] = best.Algorithm,
                ["holdout"] = holdout,
            };
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }
    }

    private async Task<List<string>> LogTrialsAsync(StepExecution step, SweepResult sweep, string experimentName, CancellationToken cancellationToken)
    {
        var experiment = await tracking.GetExperimentByNameAsync(experimentName, cancellationToken)
            ?? await CreateExperimentAsync(experimentName, cancellationToken);
        var dataset = new DatasetInput(sweep.Dataset.Name, sweep.Dataset.Digest, "pipeline", $"pipelines:/{step.Pipeline}/runs/{step.RunId}/{step.Step.Name}",
            sweep.Dataset.Schema, JsonSerializer.Serialize(sweep.Dataset.Profile, KilnJsonContext.Default.DataProfile), "training");
        var ids = new List<string>();
        var rank = 1;
        foreach (var trial in sweep.Trials)
        {
            var run = await tracking.CreateRunAsync(experiment.Id, $"{trial.Algorithm}-{trial.Index}", new Dictionary<string, string>
            {
                ["kiln.source"] = "pipeline",
                ["kiln.pipeline"] = step.Pipeline,
                ["kiln.pipeline_run"] = step.RunId,
                ["kiln.pipeline_step"] = step.Step.Name,
                ["kiln.rank"] = rank.ToString(CultureInfo.InvariantCulture),
                ["kiln.primary_metric"] = sweep.PrimaryMetric,
            }, cancellationToken);
            var parameters = new Dictionary<string, string>(trial.Parameters)
            {
                ["algorithm"] = trial.Algorithm,
                ["label"] = sweep.Schema.Label.Column,
                ["excluded_columns"] = string.Join(',', sweep.Schema.ExcludedColumns),
            };
            var now = DateTimeOffset.UtcNow;
            await tracking.LogAsync(run.Id, new RunLog(trial.Metrics.Select(m => new MetricPoint(m.Key, m.Value, now, 0)).ToList(), parameters), cancellationToken);
            await tracking.LogInputsAsync(run.Id, [dataset], cancellationToken);
            if (rank == 1)
            {
                WriteLineage(trial, run.Id, step);
            }

            foreach (var file in Directory.EnumerateFiles(trial.PackageDirectory, "*", SearchOption.AllDirectories))
            {
                await using var content = File.OpenRead(file);
                var (sha, size) = await store.PutAsync(content, cancellationToken);
                await tracking.AddArtifactAsync(run.Id, new RunArtifact("model/" + Path.GetRelativePath(trial.PackageDirectory, file).Replace('\\', '/'), size, sha), cancellationToken);
            }

            await tracking.UpdateRunAsync(run.Id, RunStatus.Finished, null, cancellationToken);
            ids.Add(run.Id);
            rank++;
        }

        step.Log.Write($"logged {ids.Count} trials as runs of experiment '{experimentName}'");
        return ids;
    }

    /// <summary>The best package records where it came from: its run, its data, and the pipeline run that trained it.</summary>
    private static void WriteLineage(TrialResult best, string runId, StepExecution step)
    {
        var manifest = MlNetPackage.ReadManifest(best.PackageDirectory);
        var metadata = new Dictionary<string, string>(manifest.Metadata)
        {
            ["pipeline"] = step.Pipeline,
            ["pipeline_run"] = step.RunId,
        };
        MlNetPackage.WriteManifest(best.PackageDirectory, manifest with { Metadata = metadata, RunId = runId, Source = $"runs:/{runId}/model" });
    }

    private async Task<Experiment> CreateExperimentAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            return await tracking.CreateExperimentAsync(name, null, cancellationToken);
        }
        catch (Kiln.Core.KilnException)
        {
            // created by another step or replica meanwhile
            var existing = await tracking.GetExperimentByNameAsync(name, cancellationToken);
            if (existing is null)
            {
                throw;
            }

            return existing;
        }
    }

    /// <summary>Sweep progress as log lines.</summary>
    private sealed class LogProgress(Kiln.Pipelines.Execution.IStepLog log) : IProgress<TrialProgress>
    {
        public void Report(TrialProgress value) => log.Write(value.Message);
    }
}
