using System.Collections.Concurrent;
using Kiln.Monitoring.Traffic;

namespace Kiln.Monitoring.Metrics;

/// <summary>
/// The serving path's metrics in one place: what the inference middleware records per request
/// (counted per protocol, deployment, variant, model version and status; latency, sizes and rows
/// as histograms; fed into <see cref="TrafficWindows"/> for alert rules), the in-flight gauges, and
/// model load times. Recording a request into an existing series allocates nothing.
/// </summary>
public sealed class ServingMetrics
{
    /// <summary>The default cap on (protocol, deployment, variant, version) series.</summary>
    public const int DefaultMaxSeries = 1000;

    /// <summary>The deployment label of requests beyond the series cap.</summary>
    public const string OverflowDeployment = "_overflow";

    private readonly ConcurrentDictionary<LabelKey, ServingSeries> _series = new();
    private readonly ServingFamilies _families;
    private readonly TrafficWindows _traffic;
    private readonly int _maxSeries;

    /// <summary>Registers the serving families in <paramref name="registry"/>.</summary>
    /// <param name="registry">Where the families are registered.</param>
    /// <param name="traffic">The windows alert rules read; every request with a deployment is recorded there too.</param>
    /// <param name="maxSeries">
    /// A cap on series: a caller can name any deployment in a URL, so without it unknown names would
    /// grow the metrics without bound. Past the cap, requests count under <see cref="OverflowDeployment"/>.
    /// </param>
    public ServingMetrics(MetricsRegistry registry, TrafficWindows traffic, int maxSeries = DefaultMaxSeries)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(traffic);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxSeries, 1);
        _families = new ServingFamilies(registry);
        _traffic = traffic;
        _maxSeries = maxSeries;
    }

    /// <summary>The windows fed by <see cref="RecordRequest"/>.</summary>
    public TrafficWindows Traffic => _traffic;

    /// <summary>
    /// Records one finished inference request. Request size is observed when known (above zero);
    /// response size and rows only for requests that succeeded (status below 400); requests
    /// without a deployment (rejected before routing, e.g. 401) count with empty labels.
    /// </summary>
    public void RecordRequest(string protocol, string? deployment, string? variant, string? modelVersion,
        int statusCode, double seconds, long requestBytes, long responseBytes, int rows)
    {
        var series = Series(protocol, deployment, variant, modelVersion);
        series.RequestsWithStatus(statusCode).Increment();
        if (statusCode >= 500)
        {
            series.Failures.Increment();
        }

        series.Duration.Observe(seconds);
        if (requestBytes > 0)
        {
            series.RequestSize.Observe(requestBytes);
        }

        if (statusCode < 400)
        {
            series.ResponseSize.Observe(responseBytes);
            series.Rows.Observe(rows);
        }

        if (series.Traffic is { } ring)
        {
            _traffic.Record(ring, statusCode, seconds);
        }
    }

    /// <summary>The in-flight gauge of a protocol: resolve it once, then increment and decrement around each request.</summary>
    public Gauge InFlight(string protocol) => _families.InFlight.WithLabels(protocol);

    /// <summary>Records how long a model version took to load and warm for a deployment.</summary>
    public void RecordModelLoad(string deployment, string model, string version, double seconds) =>
        _families.ModelLoad.WithLabels(deployment, model, version).Observe(seconds);

    /// <summary>Counts a model version that failed to load for a deployment.</summary>
    public void RecordModelLoadFailure(string deployment, string model, string version) =>
        _families.ModelLoadFailures.WithLabels(deployment, model, version).Increment();

    /// <summary>Drops every series of a deleted deployment (metrics and traffic windows).</summary>
    public void RemoveDeployment(string deployment)
    {
        foreach (var key in _series.Keys)
        {
            if (key[1] == deployment)
            {
                _series.TryRemove(key, out _);
            }
        }

        bool Serving(IReadOnlyList<string> labels) => labels[1] == deployment;
        bool Loads(IReadOnlyList<string> labels) => labels[0] == deployment;
        _families.Requests.RemoveWhere(Serving);
        _families.Failures.RemoveWhere(Serving);
        _families.Duration.RemoveWhere(Serving);
        _families.RequestSize.RemoveWhere(Serving);
        _families.ResponseSize.RemoveWhere(Serving);
        _families.Rows.RemoveWhere(Serving);
        _families.ModelLoad.RemoveWhere(Loads);
        _families.ModelLoadFailures.RemoveWhere(Loads);
        _traffic.Remove(deployment);
    }

    private ServingSeries Series(string protocol, string? deployment, string? variant, string? modelVersion)
    {
        var key = new LabelKey([protocol, deployment, variant, modelVersion]);
        return _series.TryGetValue(key, out var series) ? series : AddSeries(key);
    }

    private ServingSeries AddSeries(LabelKey key)
    {
        var overflow = _series.Count >= _maxSeries;
        if (overflow)
        {
            key = new LabelKey([key[0], OverflowDeployment, null, null]);
        }

        return _series.GetOrAdd(key, static (k, state) =>
        {
            var (self, overflow) = state;
            var traffic = overflow || k[1].Length == 0 ? null : self._traffic.RingFor(k[1], k[2]);
            return new ServingSeries(self._families, k, traffic);
        }, (this, overflow));
    }
}
