using Kiln.Core;
using System.Globalization;
using Kiln.Core.Monitoring.Alerts;
using Kiln.Monitoring.Traffic;

namespace Kiln.Monitoring.Alerts;

/// <summary>
/// Error-rate and p99-latency signals from the in-memory <see cref="TrafficWindows"/>. The error rate
/// counts server errors (5xx) only: a client's bad input (4xx) is the client's problem, not the
/// deployment's. Fewer than <c>minimumRequests</c> in the window is no data, so three requests with
/// one failure do not page anyone.
/// </summary>
public sealed class TrafficAlertSignals(TrafficWindows traffic, int minimumRequests = TrafficAlertSignals.DefaultMinimumRequests) : IAlertSignalSource
{
    /// <summary>The fewest requests in a window that make a rate worth judging, unless configured.</summary>
    public const int DefaultMinimumRequests = 10;

    /// <inheritdoc/>
    public IReadOnlyCollection<AlertKind> Kinds { get; } = [AlertKind.ErrorRate, AlertKind.LatencyP99];

    /// <inheritdoc/>
    public Task<AlertSignal> ReadAsync(AlertRule rule, string deployment, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var snapshot = traffic.Snapshot(deployment, rule.Window);
        var window = DurationText.Format(snapshot.Window);
        if (snapshot.Requests == 0)
        {
            return Task.FromResult(AlertSignal.NoData($"no requests in the last {window}"));
        }

        if (snapshot.Requests < minimumRequests)
        {
            return Task.FromResult(AlertSignal.NoData($"only {snapshot.Requests} requests in the last {window} (fewer than {minimumRequests})"));
        }

        return Task.FromResult(rule.Kind switch
        {
            AlertKind.ErrorRate => new AlertSignal(snapshot.ErrorRate, string.Create(CultureInfo.InvariantCulture,
                $"5xx error rate {snapshot.ErrorRate:P2} over the last {window} ({snapshot.ServerErrors} of {snapshot.Requests} requests; {snapshot.ClientErrors} client errors not counted)")),
            AlertKind.LatencyP99 when snapshot.P99Seconds is { } p99 => new AlertSignal(p99 * 1000, string.Create(CultureInfo.InvariantCulture,
                $"p99 latency {p99 * 1000:0.#} ms over the last {window} ({snapshot.Requests} requests)")),
            AlertKind.LatencyP99 => AlertSignal.NoData($"no latency measured in the last {window}"),
            _ => AlertSignal.NoData($"{AlertWireNames.Name(rule.Kind)} is not a traffic signal"),
        });
    }
}
