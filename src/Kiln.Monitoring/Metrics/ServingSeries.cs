using System.Globalization;
using Kiln.Monitoring.Traffic;

namespace Kiln.Monitoring.Metrics;

/// <summary>
/// Everything one (protocol, deployment, variant, version) records into, resolved once when the
/// series first appears so that a request costs one dictionary lookup, not one per metric.
/// </summary>
internal sealed class ServingSeries
{
    private const int MaxStatus = 599;
    private static readonly string[] StatusText = [.. Enumerable.Range(0, MaxStatus + 1).Select(c => c.ToString(CultureInfo.InvariantCulture))];

    private readonly Counter?[] _byStatus = new Counter?[MaxStatus + 1];
    private readonly MetricFamily<Counter> _requests;
    private readonly LabelKey _key;

    public ServingSeries(ServingFamilies families, LabelKey key, TrafficRing? traffic)
    {
        _requests = families.Requests;
        _key = key;
        Failures = families.Failures.WithLabels(key[0], key[1], key[2], key[3]);
        Duration = families.Duration.WithLabels(key[0], key[1], key[2], key[3]);
        RequestSize = families.RequestSize.WithLabels(key[0], key[1], key[2], key[3]);
        ResponseSize = families.ResponseSize.WithLabels(key[0], key[1], key[2], key[3]);
        Rows = families.Rows.WithLabels(key[0], key[1], key[2], key[3]);
        Traffic = traffic;
    }

    public Counter Failures { get; }

    public Histogram Duration { get; }

    public Histogram RequestSize { get; }

    public Histogram ResponseSize { get; }

    public Histogram Rows { get; }

    public TrafficRing? Traffic { get; }

    public Counter RequestsWithStatus(int statusCode)
    {
        if (statusCode is < 100 or > MaxStatus)
        {
            return _requests.WithLabels(_key[0], _key[1], _key[2], _key[3], statusCode.ToString(CultureInfo.InvariantCulture));
        }

        return _byStatus[statusCode] ?? Resolve(statusCode);
    }

    private Counter Resolve(int statusCode)
    {
        var counter = _requests.WithLabels(_key[0], _key[1], _key[2], _key[3], StatusText[statusCode]);
        Volatile.Write(ref _byStatus[statusCode], counter);
        return counter;
    }
}
