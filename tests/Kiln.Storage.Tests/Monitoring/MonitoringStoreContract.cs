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
    }

    protected static PredictionRow Row(string requestId, int row, DateTimeOffset at, int version = 1, string variant = "primary", string prediction = "yes", double score = 0.8) =>
        new(0, at, "bank", variant, "m", version, requestId, row, 1.5, prediction, score, "yes", """{"age":41}""", """{"p":0.8}""");

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
        var labelled = await stores.Quality.ReadLabelledAsync("bank", T0, T0.AddHours(3), null, PredictionTask.Binary, default);
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
}
