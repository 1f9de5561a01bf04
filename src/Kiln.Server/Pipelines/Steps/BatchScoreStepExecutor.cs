using System.Globalization;
using System.Text.Json.Nodes;
using Kiln.Batch;
using Kiln.Batch.Logging;
using Kiln.Core;
using Kiln.Core.Batch;
using Kiln.Core.Deployments;
using Kiln.Core.Monitoring;
using Kiln.Core.Registry;
using Kiln.Inference.Serving;
using Kiln.Monitoring.PredictionLog;
using Kiln.Pipelines.Definitions;
using Kiln.Pipelines.Execution;
using Kiln.Server.Monitoring;

namespace Kiln.Server.Pipelines.Steps;

/// <summary>
/// A batch-score step: the engine of <c>kiln batch</c> run in the server on a dataset artifact or a file or folder the
/// steps may read, with a registered version loaded as the server loads it. The scored file becomes the step's
/// <c>predictions</c> artifact; with <c>log</c>, the scored rows also go to that deployment's prediction log as its
/// <c>batch</c> variant, addressed by the batch id and row as in the file.
/// </summary>
internal sealed class BatchScoreStepExecutor(PipelineArtifacts artifacts, IModelRegistry registry, ModelLoader loader, IDeploymentStore deployments, PredictionLogQueue log, TimeProvider time)
    : IStepExecutor
{
    private static readonly TimeSpan ProgressEvery = TimeSpan.FromSeconds(10);

    public string Kind => StepKinds.BatchScore;

    public async ValueTask<string?> CacheIdentityAsync(StepExecution step, CancellationToken cancellationToken)
    {
        // An alias can name another version tomorrow, and a file another content: what they name now is the key.
        var version = await ResolveAsync(step, cancellationToken);
        var input = step.Inputs["input"] is JsonValue value && value.TryGetValue<string>(out var path)
            ? ";input:" + await PipelineArtifacts.DigestOfPathAsync(artifacts.AllowedPath(path, "input"), cancellationToken)
            : "";
        return $"model:{version.ModelName}/{version.Version}{input}";
    }

    public async Task<JsonObject> ExecuteAsync(StepExecution step, CancellationToken cancellationToken)
    {
        var version = await ResolveAsync(step, cancellationToken);
        var format = step.Text("format") switch
        {
            null or "csv" => BatchFileFormat.Csv,
            "parquet" => BatchFileFormat.Parquet,
            var other => throw new StepFailedException($"input format: '{other}' is not csv or parquet"),
        };
        var policy = step.Text("on_error") switch
        {
            null or "fail" => BadRowPolicy.Fail,
            "skip" => BadRowPolicy.Skip,
            var other => throw new StepFailedException($"input on_error: '{other}' is not fail or skip"),
        };
        IBatchPredictionLog? logging = null;
        if (step.Text("log") is { Length: > 0 } deployment)
        {
            var target = await deployments.GetAsync(deployment, cancellationToken) ?? throw new StepFailedException($"input log: there is no deployment '{deployment}'");
            var rate = step.Number("log_sample") is { } sample and >= 0 ? sample : target.LogSampleRate;
            logging = new QueueLog(log, deployment, version, rate, time);
        }

        var scratch = Directory.CreateTempSubdirectory("kiln-batch-score-").FullName;
        var loaded = loader.Load(version);
        try
        {
            var input = await artifacts.FetchDatasetAsync(step.Inputs["input"], scratch, "input", cancellationToken);
            var output = Path.Combine(scratch, format == BatchFileFormat.Parquet ? "predictions.parquet" : "predictions.csv");
            var request = new BatchRequest(input, output, format, step.List("keep_columns"), policy, BatchId: $"{step.Pipeline}-{step.RunId}-{step.Step.Name}");
            var last = TimeSpan.Zero;
            var progress = new InlineProgress(p =>
            {
                if (p.Elapsed - last >= ProgressEvery)
                {
                    last = p.Elapsed;
                    step.Log.Write(string.Create(CultureInfo.InvariantCulture, $"{p.Fraction:P0}: {p.Rows:N0} rows, {p.RowsPerSecond:N0} rows/s"));
                }
            });
            BatchSummary summary;
            try
            {
                summary = await BatchScorer.RunAsync(loaded.Runtime, version.ModelName, version.Version, request, progress, cancellationToken, logging);
            }
            catch (KilnException e)
            {
                throw new StepFailedException(e.Message);
            }

            step.Log.Write(string.Create(CultureInfo.InvariantCulture,
                $"{version.ModelName}/{version.Version} scored {summary.Scored:N0} of {summary.Rows:N0} rows in {summary.Seconds:F1} s ({summary.RowsPerSecond:N0} rows/s); {summary.BadRows:N0} bad"));
            foreach (var bad in summary.FirstBadRows.Take(20))
            {
                step.Log.Write($"bad row: {bad}");
            }

            var predictions = await artifacts.PutDatasetAsync(output, summary.Scored, cancellationToken);
            return new JsonObject
            {
                ["predictions"] = predictions,
                ["rows"] = summary.Rows,
                ["scored"] = summary.Scored,
                ["bad_rows"] = summary.BadRows,
                ["batch_id"] = summary.BatchId,
                ["model_version"] = version.Version,
                ["logged_rows"] = logging is null ? 0 : summary.LoggedRows,
            };
        }
        finally
        {
            loaded.Release();
            Directory.Delete(scratch, recursive: true);
        }
    }

    private async Task<ModelVersion> ResolveAsync(StepExecution step, CancellationToken cancellationToken)
    {
        var text = step.Text("model") ?? throw new StepFailedException("input model: is required");
        if (step.Integer("version") is { } number)
        {
            text = text.Contains('@', StringComparison.Ordinal) || text.Contains('/', StringComparison.Ordinal)
                ? throw new StepFailedException("input version: give it with a plain model name, not with an alias or a version already")
                : $"{text}/{number.ToString(CultureInfo.InvariantCulture)}";
        }

        try
        {
            return await registry.ResolveAsync(ModelReference.Parse(text, "model"), cancellationToken)
                ?? throw new StepFailedException($"input model: '{text}' names no registered version");
        }
        catch (KilnException e)
        {
            throw new StepFailedException($"input {e.Message}");
        }
    }

    /// <summary>Logs blocks straight into the server's prediction-log queue, waiting while it is full (nothing is dropped).</summary>
    private sealed class QueueLog(PredictionLogQueue queue, string deployment, ModelVersion version, double sampleRate, TimeProvider time) : IBatchPredictionLog
    {
        public double SampleRate => Math.Clamp(sampleRate, 0, 1);

        public async ValueTask LogAsync(BatchPredictions block, CancellationToken cancellationToken)
        {
            var firstRow = block.FirstRow <= int.MaxValue ? (int)block.FirstRow : throw new StepFailedException("the prediction log addresses rows up to 2^31 − 1; score a batch this large in parts");
            var record = new PredictionRecord(block.BatchId, deployment, BatchPredictionEndpoints.Variant, version.ModelName, version.Version, time.GetUtcNow(), 0, block.Inputs, block.Outputs, version.Manifest.Signature, firstRow);
            while (!queue.TryEnqueue(record))
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200), time, cancellationToken);
            }
        }
    }

    private sealed class InlineProgress(Action<BatchProgress> report) : IProgress<BatchProgress>
    {
        public void Report(BatchProgress value) => report(value);
    }
}
