using System.Collections.Concurrent;
using Kiln.Monitoring.Metrics;

namespace Kiln.Monitoring.Traffic;

/// <summary>
/// Recent traffic per deployment and variant, for alert rules: a ring of time buckets (10 s over an
/// hour by default) counting requests, 5xx, 4xx and a latency histogram. Time comes from the
/// injected <see cref="TimeProvider"/>'s timestamp, so tests move it with a fake clock.
/// </summary>
public sealed class TrafficWindows
{
    private readonly ConcurrentDictionary<(string Deployment, string Variant), TrafficRing> _rings = new();
    private readonly TimeProvider _time;
    private readonly long _ticksPerBucket;
    private readonly int _slots;
    private readonly double[] _bounds = [.. Buckets.LatencySeconds];

    /// <summary>Ten-second buckets covering one hour.</summary>
    public TrafficWindows(TimeProvider time)
        : this(time, TimeSpan.FromSeconds(10), TimeSpan.FromHours(1))
    {
    }

    /// <summary>Buckets of <paramref name="bucketWidth"/> covering at least <paramref name="coverage"/>.</summary>
    public TrafficWindows(TimeProvider time, TimeSpan bucketWidth, TimeSpan coverage)
    {
        ArgumentNullException.ThrowIfNull(time);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(bucketWidth, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(coverage, bucketWidth);
        _time = time;
        _ticksPerBucket = Math.Max(1, (long)(bucketWidth.TotalSeconds * time.TimestampFrequency));
        BucketWidth = bucketWidth;
        // One more slot than the coverage needs: the current bucket is still filling.
        _slots = (int)Math.Ceiling(coverage / bucketWidth) + 1;
        Coverage = bucketWidth * (_slots - 1);
    }

    /// <summary>The width of one bucket: windows are rounded up to whole buckets.</summary>
    public TimeSpan BucketWidth { get; }

    /// <summary>The longest window a snapshot covers.</summary>
    public TimeSpan Coverage { get; }

    /// <summary>The deployments that have seen traffic.</summary>
    public IReadOnlyCollection<string> Deployments => _rings.Keys.Select(k => k.Deployment).Distinct(StringComparer.Ordinal).ToArray();

    /// <summary>Counts one finished request.</summary>
    public void Record(string deployment, string? variant, int statusCode, double seconds) =>
        Record(RingFor(deployment, variant), statusCode, seconds);

    /// <summary>Traffic of every variant of <paramref name="deployment"/> over the last <paramref name="window"/> (at most <see cref="Coverage"/>).</summary>
    public TrafficSnapshot Snapshot(string deployment, TimeSpan window) => Snapshot(deployment, null, allVariants: true, window);

    /// <summary>Traffic of one variant of <paramref name="deployment"/> over the last <paramref name="window"/>.</summary>
    public TrafficSnapshot Snapshot(string deployment, string? variant, TimeSpan window) => Snapshot(deployment, variant, allVariants: false, window);

    /// <summary>Forgets a deployment's traffic (it was deleted).</summary>
    public void Remove(string deployment)
    {
        foreach (var key in _rings.Keys)
        {
            if (key.Deployment == deployment)
            {
                _rings.TryRemove(key, out _);
            }
        }
    }

    internal TrafficRing RingFor(string deployment, string? variant)
    {
        ArgumentNullException.ThrowIfNull(deployment);
        var key = (deployment, variant ?? string.Empty);
        return _rings.TryGetValue(key, out var ring)
            ? ring
            : _rings.GetOrAdd(key, static (_, self) => new TrafficRing(self._slots, self._bounds), this);
    }

    internal void Record(TrafficRing ring, int statusCode, double seconds) => ring.Record(CurrentEpoch(), statusCode, seconds);

    private long CurrentEpoch() => _time.GetTimestamp() / _ticksPerBucket;

    private TrafficSnapshot Snapshot(string deployment, string? variant, bool allVariants, TimeSpan window)
    {
        ArgumentNullException.ThrowIfNull(deployment);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(window, TimeSpan.Zero);
        if (window > Coverage)
        {
            window = Coverage;
        }

        var buckets = (long)Math.Ceiling(window / BucketWidth);
        var now = CurrentEpoch();
        var totals = new long[3 + _bounds.Length + 1];
        foreach (var ((name, ringVariant), ring) in _rings)
        {
            if (name == deployment && (allVariants || ringVariant == (variant ?? string.Empty)))
            {
                ring.AddTo(now - buckets, now, totals);
            }
        }

        var latency = totals.AsSpan(3);
        return new TrafficSnapshot(window, totals[0], totals[1], totals[2],
            HistogramQuantile.Estimate(_bounds, latency, 0.50),
            HistogramQuantile.Estimate(_bounds, latency, 0.95),
            HistogramQuantile.Estimate(_bounds, latency, 0.99));
    }
}
