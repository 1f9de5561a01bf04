using Kiln.Core.Monitoring;
using Kiln.Monitoring.Drift;
using Kiln.Monitoring.Sketches;
using Kiln.Monitoring.Tests.PredictionLog;

namespace Kiln.Monitoring.Tests.Drift;

public sealed class LiveProfilesTests
{
    private static readonly DateTimeOffset Minute = new(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Flush_RecordsOfOneMinute_StoreOneBucketWithEveryFeatureAndTheScore()
    {
        var store = new MemorySketches();
        var profiles = new LiveProfiles(store, TimeSpan.FromMinutes(1));

        profiles.Observe(PredictionLogWriterTests.Record("a", 3, Minute.AddSeconds(5)));
        profiles.Observe(PredictionLogWriterTests.Record("b", 2, Minute.AddSeconds(50)));
        await profiles.FlushAsync(CancellationToken.None);

        var bucket = Assert.Single(store.Stored.Values);
        Assert.Equal(Minute.ToUnixTimeMilliseconds(), bucket.BucketStartMs);
        Assert.Equal(5, bucket.Rows);
        var sketch = ProfileSketch.FromBytes(bucket.Data);
        Assert.Equal(5, sketch.Find("age")!.Count);
        Assert.Equal(3, sketch.Find("job")!.Categorical!.Counts["admin."]);
        Assert.Equal(5, sketch.Find(LiveProfiles.ScoreColumn)!.Count);
    }

    [Fact]
    public async Task Flush_StoreFailsOnce_TheNextFlushStoresTheBucket()
    {
        var store = new MemorySketches { FailNext = true };
        var profiles = new LiveProfiles(store, TimeSpan.FromMinutes(1));
        profiles.Observe(PredictionLogWriterTests.Record("a", 4, Minute.AddSeconds(1)));

        await Assert.ThrowsAsync<IOException>(() => profiles.FlushAsync(CancellationToken.None));
        await profiles.FlushAsync(CancellationToken.None);

        Assert.Equal(4, Assert.Single(store.Stored.Values).Rows);
    }

    [Fact]
    public async Task Flush_WhileAnotherFlushIsStoring_ReturnsOnlyOnceTheBucketIsStored()
    {
        var store = new MemorySketches { Hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) };
        var profiles = new LiveProfiles(store, TimeSpan.FromMinutes(1));
        profiles.Observe(PredictionLogWriterTests.Record("a", 4, Minute.AddSeconds(1)));

        // The first flush (the writer's periodic one, say) has taken the bucket and is storing it; a report's flush starts.
        var first = profiles.FlushAsync(CancellationToken.None);
        var second = profiles.FlushAsync(CancellationToken.None);
        await Task.Delay(100);

        Assert.False(second.IsCompleted);
        store.Hold.SetResult();
        await Task.WhenAll(first, second);
        Assert.Equal(4, Assert.Single(store.Stored.Values).Rows);
    }

    [Fact]
    public async Task Flush_AfterARestartWithinTheMinute_AddsToTheStoredBucketInsteadOfReplacingIt()
    {
        var store = new MemorySketches();
        var before = new LiveProfiles(store, TimeSpan.FromMinutes(1));
        before.Observe(PredictionLogWriterTests.Record("a", 3, Minute.AddSeconds(5)));
        await before.FlushAsync(CancellationToken.None);

        // The process stops and a new one starts within the same minute, on the same store.
        var after = new LiveProfiles(store, TimeSpan.FromMinutes(1));
        after.Observe(PredictionLogWriterTests.Record("b", 2, Minute.AddSeconds(40)));
        await after.FlushAsync(CancellationToken.None);
        after.Observe(PredictionLogWriterTests.Record("a", 1, Minute.AddSeconds(50)));
        await after.FlushAsync(CancellationToken.None);

        var bucket = Assert.Single(store.Stored.Values);
        Assert.Equal(6, bucket.Rows);
        var sketch = ProfileSketch.FromBytes(bucket.Data);
        Assert.Equal(6, sketch.Find("age")!.Count);
        Assert.Equal(4, sketch.Find("job")!.Categorical!.Counts["admin."]);
    }

    private sealed class MemorySketches : ISketchStore
    {
        public Dictionary<long, StoredSketch> Stored { get; } = [];

        public bool FailNext { get; set; }

        /// <summary>While set and not completed, a store waits for it (then it is cleared).</summary>
        public TaskCompletionSource? Hold { get; set; }

        public async Task UpsertAsync(IReadOnlyList<StoredSketch> sketches, CancellationToken cancellationToken)
        {
            // As the real stores: nothing to store is no round trip.
            if (sketches.Count == 0)
            {
                return;
            }

            if (Hold is { } hold)
            {
                await hold.Task;
                Hold = null;
            }

            if (FailNext)
            {
                FailNext = false;
                throw new IOException("database is locked");
            }

            foreach (var sketch in sketches)
            {
                Stored[sketch.BucketStartMs] = sketch;
            }
        }

        public Task<IReadOnlyList<StoredSketch>> ReadAsync(string deployment, DateTimeOffset since, DateTimeOffset until, int? modelVersion, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<StoredSketch>>(Stored.Values.ToArray());

        public Task<StoredSketch?> ReadOwnAsync(string deployment, string modelName, int modelVersion, long bucketStartMs, CancellationToken cancellationToken) =>
            Task.FromResult(Stored.GetValueOrDefault(bucketStartMs));
    }
}
