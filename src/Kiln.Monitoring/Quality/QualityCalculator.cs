using Kiln.Core.Api;
using Kiln.Core.Monitoring;
using Kiln.Monitoring.Statistics;

namespace Kiln.Monitoring.Quality;

/// <summary>
/// Turns labelled predictions (and prediction counts, for coverage) into quality windows: per version and
/// window, and over the whole range. Metrics come from <see cref="ClassificationMetrics"/> and
/// <see cref="RegressionMetrics"/>, so a window's numbers equal an independent computation on the same rows.
/// </summary>
public static class QualityCalculator
{
    /// <summary>Computes the report body for rows already read for one deployment.</summary>
    /// <param name="task">What the predictions are.</param>
    /// <param name="labelled">Labelled predictions, in time order.</param>
    /// <param name="counts">Predictions and labels per bucket of <paramref name="window"/> and version.</param>
    /// <param name="since">Range start.</param>
    /// <param name="until">Range end.</param>
    /// <param name="window">Window length, or null for one window over the range.</param>
    public static (QualityWindow Overall, IReadOnlyList<VersionQuality> Versions) Compute(
        PredictionTask task, IReadOnlyList<LabelledPrediction> labelled, IReadOnlyList<PredictionCount> counts, DateTimeOffset since, DateTimeOffset until, TimeSpan? window)
    {
        var sinceMs = since.ToUnixTimeMilliseconds();
        var untilMs = until.ToUnixTimeMilliseconds();
        var overall = Window(task, labelled, counts.Sum(c => c.Predictions), since, until);
        var versions = new List<VersionQuality>();
        var allVersions = counts.Select(c => c.ModelVersion).Concat(labelled.Select(l => l.ModelVersion)).Distinct().Order().ToArray();
        var inTimeOrder = InTimeOrder(labelled);
        foreach (var version in allVersions)
        {
            // With one version, its rows and counts are the overall ones: reuse that window rather than recompute it.
            IReadOnlyList<LabelledPrediction> rows = allVersions.Length == 1 ? labelled : labelled.Where(l => l.ModelVersion == version).ToArray();
            var versionCounts = counts.Where(c => c.ModelVersion == version).ToArray();
            var whole = allVersions.Length == 1 ? overall : Window(task, rows, versionCounts.Sum(c => c.Predictions), since, until);
            var windows = new List<QualityWindow>();
            if (window is { } size)
            {
                var sizeMs = (long)size.TotalMilliseconds;
                var ordered = inTimeOrder ? rows as LabelledPrediction[] ?? [.. rows] : null;
                var starts = versionCounts.Select(c => c.BucketStartMs).Concat(rows.Select(r => r.TimestampMs / sizeMs * sizeMs)).Distinct().Order();
                foreach (var start in starts)
                {
                    var end = start + sizeMs;
                    IReadOnlyList<LabelledPrediction> inWindow = ordered is not null ? Slice(ordered, start, end) : rows.Where(r => r.TimestampMs >= start && r.TimestampMs < end).ToArray();
                    var predictions = versionCounts.Where(c => c.BucketStartMs == start).Sum(c => c.Predictions);
                    windows.Add(Window(
                        task, inWindow, predictions,
                        DateTimeOffset.FromUnixTimeMilliseconds(Math.Max(start, sinceMs)),
                        DateTimeOffset.FromUnixTimeMilliseconds(Math.Min(end, untilMs))));
                }
            }

            versions.Add(new VersionQuality(version, whole, windows));
        }

        return (overall, versions);
    }

    private static bool InTimeOrder(IReadOnlyList<LabelledPrediction> rows)
    {
        for (var i = 1; i < rows.Count; i++)
        {
            if (rows[i].TimestampMs < rows[i - 1].TimestampMs)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The rows in [start, end) of rows in time order, found by binary search instead of a scan of every row per window.</summary>
    private static ArraySegment<LabelledPrediction> Slice(LabelledPrediction[] rows, long start, long end)
    {
        var from = LowerBound(rows, start);
        return new ArraySegment<LabelledPrediction>(rows, from, LowerBound(rows, end) - from);
    }

    private static int LowerBound(LabelledPrediction[] rows, long timestampMs)
    {
        int low = 0, high = rows.Length;
        while (low < high)
        {
            var middle = low + ((high - low) / 2);
            if (rows[middle].TimestampMs < timestampMs)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }

        return low;
    }

    /// <summary>The quality of one set of labelled predictions, out of <paramref name="predictions"/> logged.</summary>
    public static QualityWindow Window(PredictionTask task, IReadOnlyList<LabelledPrediction> rows, long predictions, DateTimeOffset start, DateTimeOffset end)
    {
        var labelled = rows.Count;
        double? delay = labelled == 0 ? null : rows.Average(r => (r.LabelledAtMs - r.TimestampMs) / 1000.0);
        var coverage = predictions == 0 ? 0 : Math.Min(1, (double)labelled / predictions);
        return new QualityWindow(start, end, predictions, labelled, coverage, delay, labelled == 0 ? new Dictionary<string, double>() : Metrics(task, rows));
    }

    private static Dictionary<string, double> Metrics(PredictionTask task, IReadOnlyList<LabelledPrediction> rows)
    {
        var metrics = new Dictionary<string, double>(StringComparer.Ordinal);
        switch (task)
        {
            case PredictionTask.Binary:
                var actual = new bool[rows.Count];
                var predicted = new bool[rows.Count];
                var scores = new double[rows.Count];
                var haveScores = true;
                for (var i = 0; i < rows.Count; i++)
                {
                    actual[i] = rows[i].ActualPositive;
                    predicted[i] = rows[i].PredictedPositive;
                    scores[i] = rows[i].Score;
                    haveScores &= double.IsFinite(rows[i].Score);
                }

                var binary = ClassificationMetrics.Binary(actual, predicted, haveScores ? scores : []);
                metrics["accuracy"] = binary.Accuracy;
                metrics["precision"] = binary.Precision;
                metrics["recall"] = binary.Recall;
                metrics["f1"] = binary.F1;
                metrics["positive_rate"] = binary.PositiveRate;
                if (binary.RocAuc is { } auc)
                {
                    metrics["roc_auc"] = auc;
                }

                if (binary.LogLoss is { } logLoss)
                {
                    metrics["log_loss"] = logLoss;
                }

                break;
            case PredictionTask.Multiclass:
                var classes = new Dictionary<string, int>(StringComparer.Ordinal);
                int Index(string? label) => classes.TryGetValue(label ?? string.Empty, out var index) ? index : classes[label ?? string.Empty] = classes.Count;
                var actualClass = rows.Select(r => Index(r.Label)).ToArray();
                var predictedClass = rows.Select(r => Index(r.Prediction)).ToArray();
                var multiclass = ClassificationMetrics.Multiclass(actualClass, predictedClass, [], Math.Max(2, classes.Count));
                metrics["accuracy"] = multiclass.Accuracy;
                metrics["macro_precision"] = multiclass.MacroPrecision;
                metrics["macro_recall"] = multiclass.MacroRecall;
                metrics["macro_f1"] = multiclass.MacroF1;
                break;
            case PredictionTask.Regression:
                var pairs = rows.Where(r => double.IsFinite(r.LabelValue) && double.IsFinite(r.Score)).ToArray();
                if (pairs.Length > 0)
                {
                    var regression = RegressionMetrics.Compute(pairs.Select(r => r.LabelValue).ToArray(), pairs.Select(r => r.Score).ToArray());
                    metrics["mae"] = regression.MeanAbsoluteError;
                    metrics["rmse"] = regression.RootMeanSquaredError;
                    metrics["r2"] = regression.R2;
                }

                break;
        }

        return metrics;
    }
}
