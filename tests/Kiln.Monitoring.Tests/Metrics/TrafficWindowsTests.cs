using Kiln.Monitoring.Traffic;
using Microsoft.Extensions.Time.Testing;

namespace Kiln.Monitoring.Tests.Metrics;

public class TrafficWindowsTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2025, 1, 1, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public void Snapshot_CountsRequestsAndErrorClasses()
    {
        var windows = new TrafficWindows(_time);
        for (var i = 0; i < 95; i++)
        {
            windows.Record("d", "primary", 200, 0.001);
        }

        windows.Record("d", "primary", 404, 0.001);
        windows.Record("d", "primary", 400, 0.001);
        windows.Record("d", "primary", 500, 0.001);
        windows.Record("d", "primary", 503, 0.001);
        windows.Record("d", "primary", 503, 0.001);

        var snapshot = windows.Snapshot("d", TimeSpan.FromMinutes(5));

        Assert.Equal(100, snapshot.Requests);
        Assert.Equal(3, snapshot.ServerErrors);
        Assert.Equal(2, snapshot.ClientErrors);
        Assert.Equal(0.03, snapshot.ErrorRate, 10);
        Assert.Equal(0.02, snapshot.ClientErrorRate, 10);
    }

    [Fact]
    public void Snapshot_OldBucketsFallOutOfTheWindow()
    {
        var windows = new TrafficWindows(_time);
        windows.Record("d", null, 500, 0.01);
        _time.Advance(TimeSpan.FromMinutes(3));
        windows.Record("d", null, 200, 0.01);

        Assert.Equal(2, windows.Snapshot("d", TimeSpan.FromMinutes(5)).Requests);
        Assert.Equal(1, windows.Snapshot("d", TimeSpan.FromMinutes(1)).Requests);
        Assert.Equal(0, windows.Snapshot("d", TimeSpan.FromMinutes(1)).ServerErrors);

        _time.Advance(TimeSpan.FromMinutes(10));
        var empty = windows.Snapshot("d", TimeSpan.FromMinutes(5));
        Assert.Equal(0, empty.Requests);
        Assert.Equal(0, empty.ErrorRate);
        Assert.Null(empty.P99Seconds);
    }

    [Fact]
    public void Snapshot_CoversAnHour_AndSlotsAreReusedAfterIt()
    {
        var windows = new TrafficWindows(_time);
        windows.Record("d", null, 200, 0.01);
        _time.Advance(TimeSpan.FromMinutes(59));

        Assert.Equal(1, windows.Snapshot("d", TimeSpan.FromHours(1)).Requests);
        Assert.Equal(1, windows.Snapshot("d", TimeSpan.FromHours(5)).Requests); // clamped to the coverage

        // Exactly one ring later the first slot is reused: the old count must not leak in.
        _time.Advance(windows.Coverage + windows.BucketWidth - TimeSpan.FromMinutes(59));
        windows.Record("d", null, 500, 0.01);
        var snapshot = windows.Snapshot("d", TimeSpan.FromHours(1));
        Assert.Equal(1, snapshot.Requests);
        Assert.Equal(1, snapshot.ServerErrors);
    }

    [Fact]
    public void Snapshot_EstimatesLatencyQuantiles()
    {
        var windows = new TrafficWindows(_time);
        // 90 fast requests (≤ 1 ms) and 10 slow ones (in the 0.5..1 s bucket).
        for (var i = 0; i < 90; i++)
        {
            windows.Record("d", null, 200, 0.0008);
        }

        for (var i = 0; i < 10; i++)
        {
            windows.Record("d", null, 200, 0.8);
        }

        var snapshot = windows.Snapshot("d", TimeSpan.FromMinutes(5));

        Assert.InRange(snapshot.P50Seconds!.Value, 0.0005, 0.001);
        Assert.InRange(snapshot.P95Seconds!.Value, 0.5, 1);
        Assert.InRange(snapshot.P99Seconds!.Value, snapshot.P95Seconds.Value, 1);
    }

    [Fact]
    public void Snapshot_PerVariantOrWholeDeployment()
    {
        var windows = new TrafficWindows(_time);
        windows.Record("d", "primary", 200, 0.001);
        windows.Record("d", "canary", 500, 0.001);
        windows.Record("other", "primary", 200, 0.001);

        Assert.Equal(2, windows.Snapshot("d", TimeSpan.FromMinutes(1)).Requests);
        Assert.Equal(1, windows.Snapshot("d", "canary", TimeSpan.FromMinutes(1)).ServerErrors);
        Assert.Equal(0, windows.Snapshot("d", "primary", TimeSpan.FromMinutes(1)).ServerErrors);
        Assert.Equal(["d", "other"], windows.Deployments.Order(StringComparer.Ordinal));

        windows.Remove("d");
        Assert.Equal(0, windows.Snapshot("d", TimeSpan.FromMinutes(1)).Requests);
    }

    [Fact]
    public void RequestsPerSecond_IsRequestsOverWindow()
    {
        var windows = new TrafficWindows(_time);
        for (var i = 0; i < 60; i++)
        {
            windows.Record("d", null, 200, 0.001);
        }

        Assert.Equal(1, windows.Snapshot("d", TimeSpan.FromMinutes(1)).RequestsPerSecond, 10);
    }

    [Fact]
    public async Task Record_ConcurrentlyAcrossBucketBoundaries_CountsEveryRequest()
    {
        var windows = new TrafficWindows(_time, TimeSpan.FromSeconds(1), TimeSpan.FromHours(1));
        var writers = Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
        {
            for (var i = 0; i < 50_000; i++)
            {
                windows.Record("d", null, 200, 0.001);
            }
        })).ToArray();
        while (!writers.All(w => w.IsCompleted))
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(1);
        }

        await Task.WhenAll(writers);
        Assert.Equal(200_000, windows.Snapshot("d", windows.Coverage).Requests);
    }
}
