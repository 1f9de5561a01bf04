using Kiln.Core.Api;
using Kiln.Core.Monitoring;
using Kiln.Monitoring.Statistics;

namespace Kiln.Monitoring.Quality;

/// <summary>
/// Turns quality buckets (per time bucket and version: predictions logged and a <see cref="QualitySummary"/> of
/// those labelled) into quality windows: per version and window, and over the whole range. Buckets come from the
/// stores' per-minute summaries or from rows (<see cref="Bucket"/>); either way a window's numbers are those of
/// <see cref="ClassificationMetrics"/> and <see cref="RegressionMetrics"/> on the window's rows.
/// </summary>
public static class QualityCalculator
{
    /// <summary>Computes the report body.</summary>
    /// <param name="task">What the predictions are.</param>
    /// <param name="buckets">The buckets; when <paramref name="window"/> is set, each lies within one window (windows start at multiples of their length).</param>
    /// <param name="since">Range start.</param>
    /// <param name="until">Range end.</param>
    /// <param name="window">Window length, or null for one window over the range.</param>
    public static (QualityWindow Overall, IReadOnlyList<VersionQuality> Versions) Compute(
        PredictionTask task, IReadOnlyList<BucketQuality> buckets, DateTimeOffset since, DateTimeOffset until, TimeSpan? window)
    {
        var sinceMs = since.ToUnixTimeMilliseconds();
        var untilMs = until.ToUnixTimeMilliseconds();
        var versions = new List<VersionQuality>();
        var wholes = new List<(QualitySummary Summary, long Predictions)>();
        foreach (var ofVersion in buckets.GroupBy(b => b.ModelVersion).OrderBy(g => g.Key))
        {
            // Windows first; the version's whole range is then the merge of its windows (fewer, larger parts to merge
            // than its buckets), and the overall range the merge of the versions.
            var windows = new List<QualityWindow>();
            var parts = new List<(QualitySummary Summary, long Predictions)>();
            if (window is { } size)
            {
                var sizeMs = (long)size.TotalMilliseconds;
                foreach (var group in ofVersion.GroupBy(b => Floor(b.BucketStartMs, sizeMs)).OrderBy(g => g.Key))
                {
                    var start = group.Key;
                    var part = (Merge(group.Select(b => b.Summary)), group.Sum(b => b.Predictions));
                    parts.Add(part);
                    windows.Add(Window(
                        task,
                        part.Item1,
                        part.Item2,
                        DateTimeOffset.FromUnixTimeMilliseconds(Math.Max(start, sinceMs)),
                        DateTimeOffset.FromUnixTimeMilliseconds(Math.Min(start + sizeMs, untilMs))));
                }
            }
            else
            {
                parts.AddRange(ofVersion.Select(b => (b.Summary, b.Predictions)));
            }

            var whole = (Merge(parts.Select(p => p.Summary)), parts.Sum(p => p.Predictions));
            wholes.Add(whole);
            versions.Add(new VersionQuality(ofVersion.Key, Window(task, whole.Item1, whole.Item2, since, until), windows));
        }

        // With one version, its whole range is the overall one: reuse that window rather than recompute it.
        var overall = versions.Count == 1
            ? versions[0].Overall
            : Window(task, Merge(wholes.Select(w => w.Summary)), wholes.Sum(w => w.Predictions), since, until);
        return (overall, versions);
    }

    /// <summary>
    /// Labelled rows and prediction counts gathered into buckets of <paramref name="bucketMs"/> per version (each row
    /// summarised as <paramref name="task"/>): for the parts of a range no stored summary covers.
    /// </summary>
    /// <param name="task">What the predictions are.</param>
    /// <param name="labelled">Labelled predictions.</param>
    /// <param name="counts">Predictions per bucket of <paramref name="bucketMs"/> and version.</param>
    /// <param name="bucketMs">The bucket length the counts were taken with.</param>
    public static IReadOnlyList<BucketQuality> Bucket(PredictionTask task, IEnumerable<LabelledPrediction> labelled, IEnumerable<PredictionCount> counts, long bucketMs)
    {
        var buckets = new SortedDictionary<(long, int), (long Predictions, QualitySummary Summary)>();
        foreach (var count in counts)
        {
            var key = (Floor(count.BucketStartMs, bucketMs), count.ModelVersion);
            var summary = buckets.TryGetValue(key, out var known) ? known.Summary : new QualitySummary();
            buckets[key] = (known.Predictions + count.Predictions, summary);
        }

        foreach (var row in labelled)
        {
            var key = (Floor(row.TimestampMs, bucketMs), row.ModelVersion);
            if (!buckets.TryGetValue(key, out var bucket))
            {
                buckets[key] = bucket = (0, new QualitySummary());
            }

            bucket.Summary.Add(row, task);
        }

        return [.. buckets.Select(b => new BucketQuality(b.Key.Item1, b.Key.Item2, b.Value.Predictions, b.Value.Summary))];
    }

    /// <summary>The quality of one summary of labelled predictions, out of <paramref name="predictions"/> logged.</summary>
    public static QualityWindow Window(PredictionTask task, QualitySummary summary, long predictions, DateTimeOffset start, DateTimeOffset end)
    {
        var labelled = summary.Labelled;
        double? delay = labelled == 0 ? null : summary.DelayMsSum / 1000.0 / labelled;
        var coverage = predictions == 0 ? 0 : Math.Min(1, (double)labelled / predictions);
        return new QualityWindow(start, end, predictions, labelled, coverage, delay, labelled == 0 ? new Dictionary<string, double>() : Metrics(task, summary));
    }

    private static QualitySummary Merge(IEnumerable<QualitySummary> parts) => QualitySummary.Sum([.. parts]);

    private static long Floor(long timestampMs, long sizeMs) => (Math.DivRem(timestampMs, sizeMs, out var rest) * sizeMs) - (rest < 0 ? sizeMs : 0);

    private static Dictionary<string, double> Metrics(PredictionTask task, QualitySummary summary)
    {
        var metrics = new Dictionary<string, double>(StringComparer.Ordinal);
        switch (task)
        {
            case PredictionTask.Binary when summary.BinaryCount > 0:
                double? auc = null, logLoss = null;
                if (summary.Unscored == 0)
                {
                    auc = RocAuc.OfSortedScores(summary.PositiveScores(), summary.NegativeScores());
                    logLoss = summary.LogLossSum / summary.BinaryCount;
                }

                var binary = ClassificationMetrics.Binary(summary.TruePositives, summary.FalsePositives, summary.FalseNegatives, summary.TrueNegatives, auc, logLoss);
                metrics["accuracy"] = binary.Accuracy;
                metrics["precision"] = binary.Precision;
                metrics["recall"] = binary.Recall;
                metrics["f1"] = binary.F1;
                metrics["positive_rate"] = binary.PositiveRate;
                if (binary.RocAuc is { } rocAuc)
                {
                    metrics["roc_auc"] = rocAuc;
                }

                if (binary.LogLoss is { } loss)
                {
                    metrics["log_loss"] = loss;
                }

                break;
            case PredictionTask.Multiclass when summary.MulticlassCount > 0:
                var classes = summary.Classes.Values.ToArray();
                var (accuracy, precision, recall, f1) = ClassificationMetrics.MacroAverages(
                    classes.Select(c => c.Correct).ToArray(), classes.Select(c => c.Actual).ToArray(), classes.Select(c => c.Predicted).ToArray(), summary.MulticlassCount);
                metrics["accuracy"] = accuracy;
                metrics["macro_precision"] = precision;
                metrics["macro_recall"] = recall;
                metrics["macro_f1"] = f1;
                break;
            case PredictionTask.Regression when summary.RegressionCount > 0:
                var regression = RegressionMetrics.FromSums(summary.RegressionCount, summary.AbsoluteErrorSum, summary.SquaredErrorSum, summary.LabelSquaredDeviations);
                metrics["mae"] = regression.MeanAbsoluteError;
                metrics["rmse"] = regression.RootMeanSquaredError;
                metrics["r2"] = regression.R2;
                break;
        }

        return metrics;
    }
}
