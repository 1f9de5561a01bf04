using Kiln.Core.Api;
using Kiln.Core.Monitoring;
using Kiln.Monitoring.Quality;
using Kiln.Monitoring.Statistics;

namespace Kiln.Monitoring.Tests.Quality;

/// <summary>
/// Windows computed from per-minute summaries (merged across minutes, stored and read back as bytes) equal the
/// metrics computed directly on each window's rows, for every task: the report's numbers do not depend on how
/// the rows were gathered.
/// </summary>
public sealed class QualityCalculatorTests
{
    private static readonly DateTimeOffset Since = new(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Until = Since.AddHours(3);
    private static readonly TimeSpan Hour = TimeSpan.FromHours(1);

    [Fact]
    public void Binary_WindowsFromMinuteSummaries_EqualMetricsOnTheWindowsRows()
    {
        var random = new Random(7);
        var rows = Rows(random, 4_000, r =>
        {
            // Scores on a grid of 50 values, so ties between positives and negatives are common.
            var score = Math.Round(random.NextDouble() * 50) / 50;
            var actual = random.NextDouble() < score;
            return r with { Score = score, PredictedPositive = score >= 0.5, ActualPositive = actual };
        });

        var (overall, versions) = QualityCalculator.Compute(PredictionTask.Binary, StoredMinutes(PredictionTask.Binary, rows), Since, Until, Hour);

        AssertBinary(rows, overall.Metrics);
        foreach (var version in versions)
        {
            AssertBinary([.. rows.Where(r => r.ModelVersion == version.ModelVersion)], version.Overall.Metrics);
            Assert.Equal(3, version.Windows.Count);
            foreach (var window in version.Windows)
            {
                AssertBinary([.. rows.Where(r => r.ModelVersion == version.ModelVersion && In(r, window))], window.Metrics);
            }
        }

        Assert.Equal(rows.Average(r => (r.LabelledAtMs - r.TimestampMs) / 1000.0), overall.MeanLabelDelaySeconds!.Value, 9);
        Assert.Equal((rows.Length * 2L, rows.Length, 0.5), (overall.Predictions, overall.Labelled, overall.LabelCoverage));
    }

    [Fact]
    public void Binary_AnUnscoredRow_LeavesAucAndLogLossOutOfItsWindowOnly()
    {
        var rows = new[]
        {
            Row(Since.AddMinutes(1), 1) with { Score = 0.9, PredictedPositive = true, ActualPositive = true },
            Row(Since.AddMinutes(2), 1) with { Score = 0.2, PredictedPositive = false, ActualPositive = false },
            Row(Since.AddMinutes(61), 1) with { Score = double.NaN, PredictedPositive = true, ActualPositive = false },
        };

        var (overall, versions) = QualityCalculator.Compute(PredictionTask.Binary, StoredMinutes(PredictionTask.Binary, rows), Since, Until, Hour);

        Assert.False(overall.Metrics.ContainsKey("roc_auc"));
        Assert.Equal(1.0, versions[0].Windows[0].Metrics["roc_auc"]);
        Assert.False(versions[0].Windows[1].Metrics.ContainsKey("log_loss"));
        Assert.Equal(2.0 / 3, overall.Metrics["accuracy"], 12);
    }

    [Fact]
    public void Multiclass_WindowsFromMinuteSummaries_EqualMacroMetricsOnTheWindowsRows()
    {
        var random = new Random(11);
        string[] classes = ["setosa", "versicolor", "virginica", "other"];
        var rows = Rows(random, 3_000, r => r with { Label = classes[random.Next(3)], Prediction = classes[random.Next(4)] });

        var (overall, versions) = QualityCalculator.Compute(PredictionTask.Multiclass, StoredMinutes(PredictionTask.Multiclass, rows), Since, Until, Hour);

        AssertMulticlass(rows, overall.Metrics);
        foreach (var window in versions.SelectMany(v => v.Windows.Select(w => (v.ModelVersion, w))))
        {
            AssertMulticlass([.. rows.Where(r => r.ModelVersion == window.ModelVersion && In(r, window.w))], window.w.Metrics);
        }
    }

    [Fact]
    public void Regression_WindowsFromMinuteSummaries_EqualMetricsOnTheWindowsRows()
    {
        var random = new Random(13);

        // Labels far from zero with a small spread: the sums of squares would cancel; Chan's update must not.
        var rows = Rows(random, 3_000, r =>
        {
            var label = 1e6 + (random.NextDouble() * 10);
            return r with { LabelValue = label, Score = label + ((random.NextDouble() - 0.5) * 4) };
        });

        var (overall, versions) = QualityCalculator.Compute(PredictionTask.Regression, StoredMinutes(PredictionTask.Regression, rows), Since, Until, Hour);

        AssertRegression(rows, overall.Metrics);
        foreach (var window in versions.SelectMany(v => v.Windows.Select(w => (v.ModelVersion, w))))
        {
            AssertRegression([.. rows.Where(r => r.ModelVersion == window.ModelVersion && In(r, window.w))], window.w.Metrics);
        }
    }

    [Fact]
    public void Summary_FromBytes_RestoresEveryField()
    {
        var summary = new QualitySummary();
        summary.Add(Row(Since, 1) with { Score = 0.7, PredictedPositive = true, ActualPositive = false }, PredictionTask.Binary);
        summary.Add(Row(Since, 1) with { Score = double.NaN }, PredictionTask.Binary);
        summary.Add(Row(Since, 1) with { Label = "é", Prediction = "b" }, PredictionTask.Multiclass);
        summary.Add(Row(Since, 1) with { LabelValue = 3, Score = 2.5 }, PredictionTask.Regression);

        var copy = QualitySummary.FromBytes(summary.ToBytes());

        Assert.Equal(summary.ToBytes(), copy.ToBytes());
        Assert.Equal((4L, 1L, 1L, 1L), (copy.Labelled, copy.FalsePositives, copy.Unscored, copy.RegressionCount));
        Assert.Equal([0.7], copy.NegativeScores().ToArray());
        Assert.Equal(new ClassCounts(0, 1, 0), copy.Classes["é"]);
        Assert.Throws<InvalidDataException>(() => QualitySummary.FromBytes(summary.ToBytes()[..20]));
        Assert.Throws<InvalidDataException>(() => QualitySummary.FromBytes([9]));
    }

    [Fact]
    public void Summary_Sum_MergesInAscendingScoreOrderAndLeavesThePartsAsTheyWere()
    {
        var random = new Random(3);
        var parts = Enumerable.Range(0, 37).Select(_ =>
        {
            var part = new QualitySummary();
            for (var i = random.Next(0, 20); i > 0; i--)
            {
                part.Add(Row(Since, 1) with { Score = random.NextDouble(), ActualPositive = random.Next(2) == 1 }, PredictionTask.Binary);
            }

            return part;
        }).ToArray();
        var before = parts.Select(p => p.ToBytes()).ToArray();

        var sum = QualitySummary.Sum(parts);

        Assert.Equal(parts.Sum(p => p.PositiveScores().Length), sum.PositiveScores().Length);
        Assert.Equal(parts.SelectMany(p => p.PositiveScores().ToArray()).Order(), sum.PositiveScores().ToArray());
        Assert.Equal(parts.SelectMany(p => p.NegativeScores().ToArray()).Order(), sum.NegativeScores().ToArray());
        Assert.Equal(parts.Sum(p => p.Labelled), sum.Labelled);
        Assert.Equal(before, parts.Select(p => p.ToBytes()));
    }

    private static LabelledPrediction[] Rows(Random random, int count, Func<LabelledPrediction, LabelledPrediction> shape) =>
        [.. Enumerable.Range(0, count)
            .Select(_ => Row(Since.AddMilliseconds(random.NextInt64((long)(Until - Since).TotalMilliseconds)), 1 + random.Next(2)))
            .Select(shape)
            .OrderBy(r => r.TimestampMs)];

    private static LabelledPrediction Row(DateTimeOffset at, int version) =>
        new(at.ToUnixTimeMilliseconds(), at.ToUnixTimeMilliseconds() + 90_000, version, double.NaN, double.NaN, false, false, null, null);

    /// <summary>What the stores keep: one summary per minute and version (twice as many predictions as labels), through its stored bytes.</summary>
    private static IReadOnlyList<BucketQuality> StoredMinutes(PredictionTask task, IEnumerable<LabelledPrediction> rows) =>
        [.. rows.GroupBy(r => (Minute: r.TimestampMs / 60_000 * 60_000, r.ModelVersion)).Select(g =>
        {
            var summary = new QualitySummary();
            foreach (var row in g)
            {
                summary.Add(row, task);
            }

            return new BucketQuality(g.Key.Minute, g.Key.ModelVersion, 2L * g.Count(), QualitySummary.FromBytes(summary.ToBytes()));
        })];

    private static bool In(LabelledPrediction row, QualityWindow window) =>
        row.TimestampMs >= window.Start.ToUnixTimeMilliseconds() && row.TimestampMs < window.End.ToUnixTimeMilliseconds();

    private static void AssertBinary(LabelledPrediction[] rows, IReadOnlyDictionary<string, double> metrics)
    {
        var expected = ClassificationMetrics.Binary([.. rows.Select(r => r.ActualPositive)], [.. rows.Select(r => r.PredictedPositive)], [.. rows.Select(r => r.Score)]);
        Assert.Equal(expected.Accuracy, metrics["accuracy"], 12);
        Assert.Equal(expected.Precision, metrics["precision"], 12);
        Assert.Equal(expected.Recall, metrics["recall"], 12);
        Assert.Equal(expected.F1, metrics["f1"], 12);
        Assert.Equal(expected.PositiveRate, metrics["positive_rate"], 12);
        Assert.Equal(expected.RocAuc!.Value, metrics["roc_auc"], 12);
        Assert.Equal(expected.LogLoss!.Value, metrics["log_loss"], 10);
    }

    private static void AssertMulticlass(LabelledPrediction[] rows, IReadOnlyDictionary<string, double> metrics)
    {
        var names = rows.Select(r => r.Label!).Concat(rows.Select(r => r.Prediction!)).Distinct().Order(StringComparer.Ordinal).ToList();
        var expected = ClassificationMetrics.Multiclass([.. rows.Select(r => names.IndexOf(r.Label!))], [.. rows.Select(r => names.IndexOf(r.Prediction!))], [], Math.Max(2, names.Count));
        Assert.Equal(expected.Accuracy, metrics["accuracy"], 12);
        Assert.Equal(expected.MacroPrecision, metrics["macro_precision"], 12);
        Assert.Equal(expected.MacroRecall, metrics["macro_recall"], 12);
        Assert.Equal(expected.MacroF1, metrics["macro_f1"], 12);
    }

    private static void AssertRegression(LabelledPrediction[] rows, IReadOnlyDictionary<string, double> metrics)
    {
        var expected = RegressionMetrics.Compute([.. rows.Select(r => r.LabelValue)], [.. rows.Select(r => r.Score)]);
        Assert.Equal(expected.MeanAbsoluteError, metrics["mae"], 9);
        Assert.Equal(expected.RootMeanSquaredError, metrics["rmse"], 9);
        Assert.Equal(expected.R2, metrics["r2"], 9);
    }
}
