using Kiln.Core.Monitoring.Alerts;
using Kiln.Monitoring.Alerts;
using Kiln.Monitoring.Traffic;
using Microsoft.Extensions.Time.Testing;

namespace Kiln.Monitoring.Tests.Alerts;

public sealed class TrafficAlertSignalsTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero));

    private static AlertRule Rule(AlertKind kind) => new() { Id = "r", Name = "r", Kind = kind, Threshold = 0.01, Window = TimeSpan.FromMinutes(5) };

    [Fact]
    public async Task ReadAsync_ServerAndClientErrors_ErrorRateCountsOnly5xx()
    {
        var traffic = new TrafficWindows(_time);
        for (var i = 0; i < 16; i++)
        {
            traffic.Record("bank", "primary", 200, 0.01);
        }

        traffic.Record("bank", "primary", 400, 0.01);
        traffic.Record("bank", "primary", 422, 0.01);
        traffic.Record("bank", "primary", 500, 0.01);
        traffic.Record("bank", "primary", 503, 0.01);

        var signal = await new TrafficAlertSignals(traffic).ReadAsync(Rule(AlertKind.ErrorRate), "bank", _time.GetUtcNow(), default);

        Assert.Equal(0.1, signal.Value!.Value, 10);
        Assert.Contains("2 of 20 requests", signal.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAsync_FewerRequestsThanMinimum_NoData()
    {
        var traffic = new TrafficWindows(_time);
        traffic.Record("bank", "primary", 500, 0.01);

        var signal = await new TrafficAlertSignals(traffic, minimumRequests: 10).ReadAsync(Rule(AlertKind.ErrorRate), "bank", _time.GetUtcNow(), default);

        Assert.Null(signal.Value);
        Assert.StartsWith("no data: only 1 requests", signal.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAsync_OldTrafficOutsideWindow_NoData()
    {
        var traffic = new TrafficWindows(_time);
        for (var i = 0; i < 20; i++)
        {
            traffic.Record("bank", "primary", 500, 0.01);
        }

        _time.Advance(TimeSpan.FromMinutes(10));
        var signal = await new TrafficAlertSignals(traffic).ReadAsync(Rule(AlertKind.ErrorRate), "bank", _time.GetUtcNow(), default);

        Assert.Null(signal.Value);
    }

    [Fact]
    public async Task ReadAsync_LatencyP99_InMilliseconds()
    {
        var traffic = new TrafficWindows(_time);
        for (var i = 0; i < 100; i++)
        {
            traffic.Record("bank", "primary", 200, 0.2);
        }

        var signal = await new TrafficAlertSignals(traffic).ReadAsync(Rule(AlertKind.LatencyP99), "bank", _time.GetUtcNow(), default);

        Assert.InRange(signal.Value!.Value, 100, 300);
        Assert.Contains("ms", signal.Description, StringComparison.Ordinal);
    }
}
