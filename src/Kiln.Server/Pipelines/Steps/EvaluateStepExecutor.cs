using System.Globalization;
using System.Text.Json.Nodes;
using Kiln.Core;
using Kiln.Core.Monitoring;
using Kiln.Core.Registry;
using Kiln.Inference.Runtime;
using Kiln.Inference.Serving;
using Kiln.Monitoring.Evaluation;
using Kiln.Pipelines.Definitions;
using Kiln.Pipelines.Execution;
using Kiln.Training.Data;

namespace Kiln.Server.Pipelines.Steps;

/// <summary>
/// An evaluate step: the candidate package and the champion (a registered version, by alias or number) score the same
/// held-out rows; the chosen metric is compared with a paired test. It passes when the candidate beats the champion by
/// more than <c>min_gain</c> with a one-sided p-value below <c>alpha</c>, or when there is no champion yet.
/// A candidate that does not pass is an output (<c>passed: false</c>), not a failed step.
/// </summary>
internal sealed class EvaluateStepExecutor(PipelineArtifacts artifacts, IModelRegistry registry, ModelLoader loader, IEnumerable<IModelRuntimeFactory> factories)
    : IStepExecutor
{
    private const double DefaultAlpha = 0.05;

    public string Kind => StepKinds.Evaluate;

    public async ValueTask<string?> CacheIdentityAsync(StepExecution step, CancellationToken cancellationToken)
    {
        // The same champion reference can name another version tomorrow: the version it names now is part of the key.
        var champion = await ResolveChampionAsync(step, cancellationToken);
        return champion is null ? "champion:none" : $"champion:{champion.ModelName}/{champion.Version}";
    }

    public async Task<JsonObject> ExecuteAsync(StepExecution step, CancellationToken cancellationToken)
    {
        var scratch = Directory.CreateTempSubdirectory("kiln-evaluate-").FullName;
        try
        {
            var data = await TabularReader.LoadAsync(await artifacts.FetchDatasetAsync(step.Inputs["data"], scratch, "data", cancellationToken), cancellationToken: cancellationToken);
            var labelName = step.Text("label")!;
            if (!data.TryGetColumn(labelName, out var label))
            {
                throw new StepFailedException($"input label: the held-out data has no column '{labelName}' (it has {string.Join(", ", data.Columns.Select(c => c.Name))})");
            }

            using var candidateRuntime = OfflineScorer.Load(await artifacts.FetchPackageAsync(step.Inputs["candidate"], scratch, "candidate", cancellationToken), factories);
            var candidate = OfflineScorer.Score(candidateRuntime, data, "candidate", cancellationToken);
            var championVersion = await ResolveChampionAsync(step, cancellationToken);
            var task = TaskOf(candidate);
            var metric = step.Text("metric") ?? task switch { "binary" => "auc", "multiclass" => "accuracy", _ => "rmse" };
            var minGain = step.Number("min_gain") ?? 0;
            var alpha = step.Number("alpha") ?? DefaultAlpha;
            if (alpha is <= 0 or > 1)
            {
                throw new StepFailedException("input alpha: must be above 0 and at most 1");
            }

            if (championVersion is null)
            {
                var alone = Measure(metric, task, label, candidate, candidate, 0);
                step.Log.Write($"there is no champion ({step.Text("champion")} names no version): the candidate passes with {metric} {Format(alone.Candidate)}");
                return Outputs(true, alone.Candidate, null, null, null, data.Rows);
            }

            var loaded = loader.Load(championVersion);
            OfflineReading[] champion;
            try
            {
                champion = OfflineScorer.Score(loaded.Runtime, data, "champion", cancellationToken);
            }
            finally
            {
                loaded.Release();
            }

            var result = Measure(metric, task, label, candidate, champion, minGain);
            var passed = result.Gain > minGain && result.PValue < alpha;
            step.Log.Write(string.Create(CultureInfo.InvariantCulture,
                $"{metric} on {result.Rows} held-out rows: candidate {Format(result.Candidate)}, champion {championVersion.ModelName}/{championVersion.Version} {Format(result.Champion)}; gain {Format(result.Gain)} (min {Format(minGain)}), p = {result.PValue:0.####} ({result.Test}) → {(passed ? "passed" : "not passed")}"));
            return Outputs(passed, result.Candidate, result.Champion, result.Gain, result.PValue, result.Rows);
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }
    }

    private async Task<ModelVersion?> ResolveChampionAsync(StepExecution step, CancellationToken cancellationToken)
    {
        ModelReference reference;
        try
        {
            reference = ModelReference.Parse(step.Text("champion"), "champion");
        }
        catch (KilnException e)
        {
            throw new StepFailedException($"input {e.Message}");
        }

        try
        {
            return await registry.ResolveAsync(reference, cancellationToken);
        }
        catch (KilnException e) when (e.Kind == Kiln.Core.Errors.KilnErrorKind.NotFound)
        {
            return null;
        }
    }

    private static string TaskOf(OfflineReading[] readings) =>
        readings.Any(r => r.PositiveLabel is not null) ? "binary" : readings.Any(r => r.Prediction is not null) ? "multiclass" : "regression";

    private static PairedResult Measure(string metric, string task, TabularColumn label, OfflineReading[] candidate, OfflineReading[] champion, double minGain)
    {
        var rows = candidate.Length;
        switch (task, metric)
        {
            case ("binary", "auc"):
            {
                var positive = candidate.First(r => r.PositiveLabel is not null).PositiveLabel!;
                if (champion.FirstOrDefault(r => r.PositiveLabel is not null).PositiveLabel is { } other && other != positive)
                {
                    throw new StepFailedException($"the candidate scores class '{positive}' and the champion class '{other}'; they cannot be compared");
                }

                var actual = Enumerable.Range(0, rows).Select(r => SameLabel(label.Text(r), positive)).ToArray();
                return Guard(() => PairedComparison.Auc(actual, Scores(candidate), Scores(champion), minGain));
            }

            case ("binary" or "multiclass", "accuracy"):
                return PairedComparison.Accuracy(Correct(candidate, label), Correct(champion, label), minGain);
            case ("binary", "log_loss"):
            {
                var positive = candidate.First(r => r.PositiveLabel is not null).PositiveLabel!;
                return PairedComparison.MeanLoss("log_loss", LogLoss(candidate, label, positive), LogLoss(champion, label, positive), minGain);
            }

            case ("regression", "rmse"):
                return PairedComparison.Rmse(Errors(candidate, label, e => e * e), Errors(champion, label, e => e * e), minGain);
            case ("regression", "mae"):
                return PairedComparison.MeanLoss("mae", Errors(candidate, label, Math.Abs), Errors(champion, label, Math.Abs), minGain);
            default:
                throw new StepFailedException(task switch
                {
                    "binary" => $"input metric: a binary model is compared on auc, accuracy or log_loss, not '{metric}'",
                    "multiclass" => $"input metric: a multiclass model is compared on accuracy, not '{metric}'",
                    _ => $"input metric: a regression model is compared on rmse or mae, not '{metric}'",
                });
        }
    }

    private static PairedResult Guard(Func<PairedResult> compare)
    {
        try
        {
            return compare();
        }
        catch (ArgumentException e)
        {
            throw new StepFailedException($"the held-out rows cannot decide: {e.Message}");
        }
    }

    private static double[] Scores(OfflineReading[] readings) => readings.Select(r => r.Score ?? double.NaN).ToArray();

    private static bool[] Correct(OfflineReading[] readings, TabularColumn label) =>
        readings.Select((r, i) => r.Prediction is not null && SameLabel(label.Text(i), r.Prediction)).ToArray();

    private static double[] LogLoss(OfflineReading[] readings, TabularColumn label, string positive) => readings.Select((r, i) =>
    {
        var p = Math.Clamp(r.Score ?? 0.5, QualitySummary.ProbabilityClip, 1 - QualitySummary.ProbabilityClip);
        return SameLabel(label.Text(i), positive) ? -Math.Log(p) : -Math.Log(1 - p);
    }).ToArray();

    private static double[] Errors(OfflineReading[] readings, TabularColumn label, Func<double, double> loss) => readings.Select((r, i) =>
        double.TryParse(label.Text(i), NumberStyles.Float, CultureInfo.InvariantCulture, out var actual) && r.Score is { } predicted
            ? loss(predicted - actual)
            : throw new StepFailedException($"row {i + 1}: the label '{label.Text(i)}' or the prediction is not a number")).ToArray();

    /// <summary>Labels as text, or as numbers when both are ("1" and "1.0" are one class).</summary>
    private static bool SameLabel(string? actual, string predicted) =>
        actual == predicted
        || (double.TryParse(actual, NumberStyles.Float, CultureInfo.InvariantCulture, out var a)
            && double.TryParse(predicted, NumberStyles.Float, CultureInfo.InvariantCulture, out var b) && a == b);

    private static JsonObject Outputs(bool passed, double candidate, double? champion, double? gain, double? pValue, int rows) => new()
    {
        ["passed"] = passed,
        ["candidate_score"] = candidate,
        ["champion_score"] = champion,
        ["gain"] = gain,
        ["p_value"] = pValue,
        ["rows"] = rows,
    };

    private static string Format(double value) => value.ToString("0.0000", CultureInfo.InvariantCulture);
}
