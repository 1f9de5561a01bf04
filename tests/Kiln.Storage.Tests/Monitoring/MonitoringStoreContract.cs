using Kiln.Core.Monitoring;

namespace Kiln.Storage.Tests.Monitoring;

/// <summary>
/// What every monitoring store must do, whatever its database: the same facts asserted on SQLite and
/// on PostgreSQL (one subclass each, which names each fact with its backend's gate), so neither backend
/// drifts from the other.
/// </summary>
public abstract class MonitoringStoreContract
{
    protected static readonly DateTimeOffset T0 = new(2030, 1, 1, 12, 0, 0, TimeSpan.Zero);

    protected abstract Task<IMonitoringStores> OpenAsync();

    protected interface IMonitoringStores : IAsyncDisposable
    {
        IPredictionLogStore Log { get; }

        IGroundTruthStore GroundTruth { get; }

        IQualityDataSource Quality { get; }

        ISketchStore Sketches { get; }

        ICustomMetricStore CustomMetrics { get; }

        /// <summary>Puts the database back as it was before quality buckets existed (its log and labels kept), then upgrades it again.</summary>
        Task UpgradeFromBeforeQualityBucketsAsync();
    }

    protected static LoggedRequest Row(string requestId, int row, DateTimeOffset at, int version = 1, string variant = "primary", string prediction = "yes", double score = 0.8) =>
        LoggedRows.One(new(0, at, "bank", variant, "m", version, requestId, row, 1.5, prediction, score, "yes", """{"age":41}""", """{"p":0.8}"""));

    protected async Task Log_AppendThenQuery_ReturnsEveryFieldInIdOrder()
    {
        await using var stores = await OpenAsync();
        await stores.Log.AppendAsync([Row("r1", 0, T0), Row("r1", 1, T0.AddSeconds(1), prediction: "no", score: double.NaN), Row("r2", 0, T0.AddSeconds(2), version: 2)], default);

        var rows = await stores.Log.QueryAsync(new PredictionQuery("bank", Limit: null), default).ToListAsync();

        Assert.Equal(["r1/0", "r1/1", "r2/0"], rows.Select(r => $"{r.RequestId}/{r.Row}"));
        Assert.True(rows[0].Id < rows[1].Id && rows[1].Id < rows[2].Id);
        Assert.Equal(T0, rows[0].Timestamp);
        Assert.Equal(("primary", "m", 1, 1.5, "yes", 0.8, "yes"), (rows[0].Variant, rows[0].ModelName, rows[0].ModelVersion, rows[0].LatencyMs, rows[0].Prediction, rows[0].Score, rows[0].PositiveLabel));
        Assert.Equal("""{"age":41}""", rows[0].InputsJson);
        Assert.Null(rows[1].Score);
        Assert.Equal(2, rows[2].ModelVersion);
        Assert.Equal(1, await stores.Log.CountAsync(new PredictionQuery("bank", ModelVersion: 2), default));
        Assert.Equal(2, await stores.Log.CountAsync(new PredictionQuery("bank", Since: T0.AddSeconds(1)), default));
        Assert.Single(await stores.Log.QueryAsync(new PredictionQuery("bank", AfterId: rows[1].Id), default).ToListAsync());
    }

    protected async Task Log_KeepsTextExactly_AndMissingValuesAsNull()
    {
        await using var stores = await OpenAsync();
        var inputs = """{"city":"Zürich","note":"naïve ☕ 🚀","quote":"a \"b\""}""";
        var longText = "{\"x\":\"" + new string('é', 5_000) + "\"}";
        await stores.Log.AppendAsync(
        [
            LoggedRows.One(new(0, T0, "bank", "primary", "m", 1, "r-ü", 0, 0.5, null, null, null, inputs, """{"p":"ja ✓"}""")),
            LoggedRows.One(new(0, T0, "bank", "primary", "m", 1, "r2", 0, 0.5, "oui", 0.1, "oui", longText, "{}")),
        ], default);

        var rows = await stores.Log.QueryAsync(new PredictionQuery("bank", Limit: null), default).ToListAsync();

        Assert.Equal(("r-ü", inputs, """{"p":"ja ✓"}"""), (rows[0].RequestId, rows[0].InputsJson, rows[0].OutputsJson));
        Assert.Equal((null, null), (rows[0].Prediction, rows[0].PositiveLabel));
        Assert.Null(rows[0].Score);
        Assert.Equal((longText, "oui", 0.1), (rows[1].InputsJson, rows[1].Prediction, rows[1].Score));
    }

    protected async Task Log_ARequestOfManyRows_ReadsBackRowByRowWithItsOwnIdsAndLabels()
    {
        await using var stores = await OpenAsync();
        await stores.Log.AppendAsync([LoggedRows.Binary("batch", T0, 20, 60, 90), Row("after", 0, T0.AddSeconds(1))], default);
        var result = await stores.GroundTruth.ApplyAsync("bank", [new("batch", 1, "yes"), new("batch", 3, "yes"), new("batch", 1, "no")], T0.AddHours(1), TimeSpan.FromDays(1), default);

        Assert.Equal((1, 1, 1), (result.Accepted, result.Duplicates, result.Unknown));
        var rows = await stores.Log.QueryAsync(new PredictionQuery("bank", Limit: null), default).ToListAsync();
        Assert.Equal(["batch/0", "batch/1", "batch/2", "after/0"], rows.Select(r => $"{r.RequestId}/{r.Row}"));
        Assert.Equal([rows[0].Id + 1, rows[0].Id + 2, rows[0].Id + 3], rows.Skip(1).Select(r => r.Id));
        Assert.Equal(("""{"age":60}""", """{"p":{"no":0.4,"yes":0.6}}"""), (rows[1].InputsJson, rows[1].OutputsJson));
        Assert.Equal(("yes", 0.6, "yes", 2.5), (rows[1].Prediction, rows[1].Score, rows[1].PositiveLabel, rows[1].LatencyMs));
        Assert.Equal(("no", 0.2), (rows[0].Prediction, rows[0].Score));
        Assert.Equal([null, "yes", null, null], rows.Select(r => r.Label));
        Assert.Equal(T0.AddHours(1), rows[1].LabelledAt);

        // A page may start and end inside a request.
        var page = await stores.Log.QueryAsync(new PredictionQuery("bank", AfterId: rows[0].Id, Limit: 1), default).ToListAsync();
        Assert.Equal(["batch/1"], page.Select(r => $"{r.RequestId}/{r.Row}"));
        var rest = await stores.Log.QueryAsync(new PredictionQuery("bank", AfterId: page[0].Id), default).ToListAsync();
        Assert.Equal(["batch/2", "after/0"], rest.Select(r => $"{r.RequestId}/{r.Row}"));
        Assert.Equal(4, await stores.Log.CountAsync(new PredictionQuery("bank"), default));

        var labelled = Assert.Single(await stores.Quality.ReadLabelledAsync("bank", T0, T0.AddHours(1), null, PredictionTask.Binary, last: null, default));
        Assert.Equal((0.6, true, true), (labelled.Score, labelled.PredictedPositive, labelled.ActualPositive));
        Assert.Equal(PredictionTask.Binary, await stores.Quality.DetectTaskAsync("bank", T0, T0.AddSeconds(1), default));
        var counts = Assert.Single(await stores.Quality.CountAsync("bank", T0, T0.AddHours(1), TimeSpan.FromHours(1), null, default));
        Assert.Equal((4L, 1L), (counts.Predictions, counts.Labelled));

        // The cap keeps a request that straddles it whole, and takes a request wholly beyond it with its labels.
        Assert.Equal(0, await stores.Log.ApplyRetentionAsync(T0.AddDays(-1), maxRows: 2, default));
        Assert.Equal(3, await stores.Log.ApplyRetentionAsync(T0.AddDays(-1), maxRows: 1, default));
        Assert.Equal(["after/0"], (await stores.Log.QueryAsync(new PredictionQuery("bank"), default).ToListAsync()).Select(r => $"{r.RequestId}/{r.Row}"));
        Assert.Empty(await stores.Quality.ReadLabelledAsync("bank", T0, T0.AddHours(1), null, PredictionTask.Binary, last: null, default));
    }

    protected async Task GroundTruth_CountsAcceptedLateDuplicateAndUnknown()
    {
        await using var stores = await OpenAsync();
        await stores.Log.AppendAsync([Row("a", 0, T0), Row("a", 1, T0), Row("b", 0, T0.AddHours(2)), Row("b", 0, T0.AddHours(2), variant: "shadow")], default);
        await stores.GroundTruth.ApplyAsync("bank", [new GroundTruthLabel("a", 1, "no")], T0.AddHours(3), TimeSpan.FromHours(24), default);

        var result = await stores.GroundTruth.ApplyAsync(
            "bank",
            [new("a", 0, "yes"), new("a", 0, "no"), new("a", 1, "yes"), new("b", 0, "1"), new("zzz", 0, "yes"), new("zzz", 0, "yes")],
            T0.AddHours(3),
            TimeSpan.FromHours(2),
            default);

        Assert.Equal((6, 2, 1), (result.Received, result.Accepted, result.Late));
        Assert.Equal(2, result.Duplicates);
        Assert.Equal(2, result.Unknown);
        Assert.Contains("zzz/0", result.UnknownIds);
        Assert.Contains("a/1", result.DuplicateIds);
        var rows = await stores.Log.QueryAsync(new PredictionQuery("bank", Limit: null), default).ToListAsync();
        Assert.Equal(["yes", "no", "1", "1"], rows.Select(r => r.Label));
        Assert.All(rows, r => Assert.Equal(T0.AddHours(3), r.LabelledAt));
    }

    protected async Task Quality_ReadsLabelledRowsAndCountsPerWindowAndVersion()
    {
        await using var stores = await OpenAsync();
        await stores.Log.AppendAsync(
            [Row("a", 0, T0), Row("b", 0, T0.AddMinutes(1), prediction: "no", score: 0.1), Row("c", 0, T0.AddMinutes(61), version: 2), Row("d", 0, T0.AddMinutes(62), version: 1)],
            default);
        await stores.GroundTruth.ApplyAsync("bank", [new("a", 0, "yes"), new("b", 0, "yes"), new("c", 0, "no")], T0.AddHours(2), TimeSpan.FromDays(1), default);

        Assert.Equal(PredictionTask.Binary, await stores.Quality.DetectTaskAsync("bank", T0, T0.AddHours(3), default));
        var labelled = await stores.Quality.ReadLabelledAsync("bank", T0, T0.AddHours(3), null, PredictionTask.Binary, last: null, default);
        var lastTwo = await stores.Quality.ReadLabelledAsync("bank", T0, T0.AddHours(3), null, PredictionTask.Binary, last: 2, default);
        Assert.Equal(labelled.Skip(1), lastTwo);
        Assert.Equal(3, labelled.Count);
        Assert.Equal((true, true, 0.8), (labelled[0].PredictedPositive, labelled[0].ActualPositive, labelled[0].Score));
        Assert.Equal((false, true), (labelled[1].PredictedPositive, labelled[1].ActualPositive));
        Assert.Equal((true, false, 2), (labelled[2].PredictedPositive, labelled[2].ActualPositive, labelled[2].ModelVersion));
        Assert.Equal(T0.AddHours(2).ToUnixTimeMilliseconds(), labelled[0].LabelledAtMs);

        var counts = await stores.Quality.CountAsync("bank", T0, T0.AddHours(3), TimeSpan.FromHours(1), null, default);
        var hour = T0.ToUnixTimeMilliseconds();
        Assert.Equal(
            [(hour, 1, 2L, 2L), (hour + 3_600_000, 1, 1L, 0L), (hour + 3_600_000, 2, 1L, 1L)],
            counts.Select(c => (c.BucketStartMs, c.ModelVersion, c.Predictions, c.Labelled)));
        var whole = await stores.Quality.CountAsync("bank", T0, T0.AddHours(3), TimeSpan.FromHours(3) + TimeSpan.FromMilliseconds(1), 2, default);
        Assert.Equal(1, whole.Sum(c => c.Predictions));
    }

    protected async Task Retention_DeletesOldRowsAndKeepsTheNewestWithinTheCap()
    {
        await using var stores = await OpenAsync();
        await stores.Log.AppendAsync([.. Enumerable.Range(0, 10).Select(i => Row($"r{i}", 0, T0.AddMinutes(i)))], default);

        await stores.Log.ApplyRetentionAsync(T0.AddMinutes(2), maxRows: 5, default);

        var left = await stores.Log.QueryAsync(new PredictionQuery("bank", Limit: null), default).ToListAsync();
        Assert.Equal(["r5", "r6", "r7", "r8", "r9"], left.Select(r => r.RequestId));
    }

    protected async Task Sketches_UpsertReplacesABucketAndReadsByRange()
    {
        await using var stores = await OpenAsync();
        var bucket = T0.ToUnixTimeMilliseconds();
        await stores.Sketches.UpsertAsync([new("bank", "m", 1, bucket, 3, [1, 2, 3]), new("bank", "m", 1, bucket + 60_000, 1, [9])], default);
        await stores.Sketches.UpsertAsync([new("bank", "m", 1, bucket, 5, [4, 5])], default);

        var read = await stores.Sketches.ReadAsync("bank", T0, T0.AddMinutes(1), 1, default);

        var only = Assert.Single(read);
        Assert.Equal(5L, only.Rows);
        Assert.Equal([4, 5], only.Data);
        Assert.Equal(2, (await stores.Sketches.ReadAsync("bank", T0, T0.AddMinutes(5), null, default)).Count);

        var own = await stores.Sketches.ReadOwnAsync("bank", "m", 1, bucket, default);
        Assert.Equal(5L, own!.Rows);
        Assert.Equal([4, 5], own.Data);
        Assert.Null(await stores.Sketches.ReadOwnAsync("bank", "m", 2, bucket, default));
        Assert.Null(await stores.Sketches.ReadOwnAsync("bank", "m", 1, bucket + 120_000, default));
    }

    protected async Task CustomMetrics_AppendThenReadByNameAndRange()
    {
        await using var stores = await OpenAsync();
        await stores.CustomMetrics.AppendAsync("bank", [new("revenue", 12.5, T0, "r1", 0), new("clicks", 3, T0.AddSeconds(1)), new("revenue", 1, T0.AddHours(1))], default);

        var revenue = await stores.CustomMetrics.ReadAsync("bank", "revenue", T0, T0.AddMinutes(1), default);
        var all = await stores.CustomMetrics.ReadAsync("bank", null, T0, T0.AddDays(1), default);

        var point = Assert.Single(revenue);
        Assert.Equal(("revenue", 12.5, T0, "r1", (int?)0), (point.Name, point.Value, point.Timestamp, point.RequestId, point.Row));
        Assert.Equal(3, all.Count);
        Assert.Null(all[1].RequestId);
    }

    protected async Task QualityBuckets_SummariseEachMinuteAndVersionAsTheirRowsDo()
    {
        await using var stores = await OpenAsync();
        await LogAndLabelThreeTasksAsync(stores);

        await AssertBucketsAsync(stores);
    }

    protected async Task QualityBuckets_AfterAnUpgradeAreRebuiltFromTheRows()
    {
        await using var stores = await OpenAsync();
        await LogAndLabelThreeTasksAsync(stores);

        await stores.UpgradeFromBeforeQualityBucketsAsync();

        await AssertBucketsAsync(stores);
    }

    protected async Task QualityBuckets_AfterRetentionHoldOnlyTheRowsLeft()
    {
        await using var stores = await OpenAsync();
        await stores.Log.AppendAsync([.. Enumerable.Range(0, 10).Select(i => Row($"r{i}", 0, T0.AddSeconds(30 * i)))], default);
        await stores.GroundTruth.ApplyAsync("bank", [.. Enumerable.Range(0, 10).Select(i => new GroundTruthLabel($"r{i}", 0, "yes"))], T0.AddHours(1), TimeSpan.FromDays(1), default);

        // The cap keeps r5..r9: minute 2 loses r4 and keeps r5; minutes 0 and 1 go.
        Assert.Equal(5, await stores.Log.ApplyRetentionAsync(T0.AddDays(-1), maxRows: 5, default));
        var capped = await stores.Quality.ReadSummariesAsync("bank", T0, T0.AddMinutes(5), null, default);

        Assert.Equal([(2L, 1L, 1L), (3, 2, 2), (4, 2, 2)], capped.Select(b => ((b.BucketStartMs - T0.ToUnixTimeMilliseconds()) / 60_000, b.Predictions, b.Summary.Labelled)));
        Assert.Equal([0.8], capped[0].Summary.PositiveScores().ToArray());

        // An age cutoff inside minute 3 is taken back to its start: minute 2 goes whole, minute 3 stays whole.
        Assert.Equal(1, await stores.Log.ApplyRetentionAsync(T0.AddMinutes(3.5), maxRows: 100, default));
        var aged = await stores.Quality.ReadSummariesAsync("bank", T0, T0.AddMinutes(5), null, default);

        Assert.Equal([(3L, 2L), (4, 2)], aged.Select(b => ((b.BucketStartMs - T0.ToUnixTimeMilliseconds()) / 60_000, b.Predictions)));
        Assert.Equal(4, await stores.Log.CountAsync(new PredictionQuery("bank"), default));
    }

    private static LoggedRequest Logged(string deployment, string requestId, DateTimeOffset at, int version, string? prediction, double? score, string? positiveLabel) =>
        LoggedRows.One(new(0, at, deployment, "primary", "m", version, requestId, 0, 1.0, prediction, score, positiveLabel, "{}", "{}"));

    private static async Task LogAndLabelThreeTasksAsync(IMonitoringStores stores)
    {
        await stores.Log.AppendAsync(
            [
                Logged("bank", "b0", T0, 1, "yes", 0.8, "yes"),
                Logged("bank", "b1", T0.AddSeconds(10), 1, "no", 0.3, "yes"),
                Logged("bank", "b2", T0.AddSeconds(20), 2, "yes", 0.6, "yes"),
                Logged("bank", "b3", T0.AddMinutes(1), 1, "yes", null, "yes"),
                Logged("bank", "b4", T0.AddMinutes(2), 1, "no", 0.1, "yes"),
                Logged("price", "p0", T0, 1, null, 10.0, null),
                Logged("price", "p1", T0.AddSeconds(5), 1, null, 20.0, null),
                Logged("price", "p2", T0.AddSeconds(6), 1, null, 30.0, null),
                Logged("iris", "i0", T0, 1, "setosa", 0.9, null),
                Logged("iris", "i1", T0.AddSeconds(1), 1, "virginica", 0.7, null),
                Logged("iris", "i2", T0.AddSeconds(2), 1, "setosa", 0.6, null),
            ],
            default);
        await stores.GroundTruth.ApplyAsync("bank", [new("b0", 0, "yes"), new("b1", 0, "yes")], T0.AddHours(1), TimeSpan.FromDays(1), default);
        await stores.GroundTruth.ApplyAsync("bank", [new("b2", 0, "no"), new("b3", 0, "yes")], T0.AddHours(2), TimeSpan.FromDays(1), default);
        await stores.GroundTruth.ApplyAsync("price", [new("p0", 0, "12"), new("p1", 0, "18")], T0.AddHours(1), TimeSpan.FromDays(1), default);
        await stores.GroundTruth.ApplyAsync("price", [new("p2", 0, "36")], T0.AddHours(1), TimeSpan.FromDays(1), default);
        await stores.GroundTruth.ApplyAsync("iris", [new("i0", 0, "setosa"), new("i1", 0, "versicolor"), new("i2", 0, "virginica")], T0.AddHours(1), TimeSpan.FromDays(1), default);
    }

    private static async Task AssertBucketsAsync(IMonitoringStores stores)
    {
        var t0 = T0.ToUnixTimeMilliseconds();
        var bank = await stores.Quality.ReadSummariesAsync("bank", T0, T0.AddMinutes(3), null, default);
        Assert.Equal([(t0, 1, 2L, 2L), (t0, 2, 1, 1), (t0 + 60_000, 1, 1, 1), (t0 + 120_000, 1, 1, 0)], bank.Select(b => (b.BucketStartMs, b.ModelVersion, b.Predictions, b.Summary.Labelled)));
        var first = bank[0].Summary;
        Assert.Equal((1L, 0L, 1L, 0L, 0L), (first.TruePositives, first.FalsePositives, first.FalseNegatives, first.TrueNegatives, first.Unscored));
        Assert.Equal([0.3, 0.8], first.PositiveScores().ToArray());
        Assert.True(first.NegativeScores().IsEmpty);
        Assert.Equal(-Math.Log(0.8) - Math.Log(0.3), first.LogLossSum, 12);
        Assert.Equal(3_600_000 + 3_590_000, first.DelayMsSum);
        Assert.Equal((1L, 7_180_000L), (bank[1].Summary.FalsePositives, bank[1].Summary.DelayMsSum));
        Assert.Equal([0.6], bank[1].Summary.NegativeScores().ToArray());
        Assert.Equal((1L, 1L), (bank[2].Summary.TruePositives, bank[2].Summary.Unscored));
        Assert.Single(await stores.Quality.ReadSummariesAsync("bank", T0, T0.AddMinutes(3), 2, default));

        var price = Assert.Single(await stores.Quality.ReadSummariesAsync("price", T0, T0.AddMinutes(1), null, default)).Summary;
        Assert.Equal(3, price.RegressionCount);
        Assert.Equal(2 + 2 + 6, price.AbsoluteErrorSum, 12);
        Assert.Equal(4 + 4 + 36, price.SquaredErrorSum, 12);
        Assert.Equal(22, price.LabelMean, 12);
        Assert.Equal(100 + 16 + 196, price.LabelSquaredDeviations, 9);

        var iris = Assert.Single(await stores.Quality.ReadSummariesAsync("iris", T0, T0.AddMinutes(1), null, default)).Summary;
        Assert.Equal(
            [("setosa", new ClassCounts(1, 1, 2)), ("versicolor", new ClassCounts(0, 1, 0)), ("virginica", new ClassCounts(0, 1, 1))],
            iris.Classes.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => (c.Key, c.Value)));
    }
}
