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
    private readonly ConcurrentDictionary<(string Replica, string Deployment, string Variant, long BucketStartMs), long[]> _remote = new();
    private readonly TimeProvider _time;
    private readonly long _ticksPerBucket;
    private readonly int _slots;
    private readonly double[] _bounds = [.. Buckets.LatencySeconds];

    // Where the monotonic buckets sit on the wall clock, fixed once: a bucket keeps one wall-clock start for good.
    private readonly long _originTimestamp;
    private readonly long _originWallMs;

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
        _originTimestamp = time.GetTimestamp();
        _originWallMs = time.GetUtcNow().ToUnixTimeMilliseconds();
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

    /// <summary>The deployments that have seen traffic (here or, when shared, on another replica).</summary>
    public IReadOnlyCollection<string> Deployments =>
        _rings.Keys.Select(k => k.Deployment).Concat(_remote.Keys.Select(k => k.Deployment)).Distinct(StringComparer.Ordinal).ToArray();

    /// <summary>
    /// This process's buckets that started within <paramref name="recent"/>, with their wall-clock start (Unix ms),
    /// for other replicas: (deployment, variant, bucket start, counts of requests, 5xx, 4xx and the latency histogram).
    /// </summary>
    public IReadOnlyList<(string Deployment, string Variant, long BucketStartMs, long[] Counts)> Export(TimeSpan recent)
    {
        var from = CurrentEpoch() - (long)Math.Ceiling(recent / BucketWidth);
        var exported = new List<(string, string, long, long[])>();
        foreach (var ((deployment, variant), ring) in _rings)
        {
            foreach (var (epoch, counts) in ring.Export(from))
            {
                exported.Add((deployment, variant, EpochStartMs(epoch), counts));
            }
        }

        return exported;
    }

    /// <summary>Takes another replica's buckets into account: snapshots add them to this process's own traffic.</summary>
    public void Merge(string replica, string deployment, string variant, long bucketStartMs, long[] counts)
    {
        if (counts.Length == 3 + _bounds.Length + 1)
        {
            _remote[(replica, deployment, variant, bucketStartMs)] = counts;
        }
    }

    /// <summary>Forgets other replicas' buckets that are older than <see cref="Coverage"/>.</summary>
    public void PruneRemote()
    {
        var oldest = _time.GetUtcNow().ToUnixTimeMilliseconds() - (long)Coverage.TotalMilliseconds - (long)BucketWidth.TotalMilliseconds;
        foreach (var key in _remote.Keys)
        {
            if (key.BucketStartMs < oldest)
            {
                _remote.TryRemove(key, out _);
            }
        }
    }

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

        foreach (var key in _remote.Keys)
        {
            if (key.Deployment == deployment)
            {
                _remote.TryRemove(key, out _);
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

    private long EpochStartMs(long epoch) =>
        _originWallMs + (long)((epoch * _ticksPerBucket - _originTimestamp) * 1000.0 / _time.TimestampFrequency);

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
        var sinceMs = _time.GetUtcNow().ToUnixTimeMilliseconds() - (buckets * (long)BucketWidth.TotalMilliseconds);
        return Totals(deployment, variant, allVariants, now - buckets, now, sinceMs, long.MaxValue, window);
    }

    /// <summary>
    /// Traffic of <paramref name="deployment"/> (one variant, or all when <paramref name="variant"/> is null) as a series of
    /// <paramref name="step"/>-long points over the last <paramref name="window"/>, oldest first: each point's wall-clock start
    /// and its traffic. The newest point holds the bucket still filling; points from before this process started counting
    /// are left out (unless other replicas' numbers are shared).
    /// </summary>
    public IReadOnlyList<(DateTimeOffset Start, TrafficSnapshot Traffic)> Series(string deployment, string? variant, TimeSpan window, TimeSpan step)
    {
        ArgumentNullException.ThrowIfNull(deployment);
        ArgumentOutOfRangeException.ThrowIfLessThan(step, BucketWidth);
        ArgumentOutOfRangeException.ThrowIfLessThan(window, step);
        if (window > Coverage)
        {
            window = Coverage;
        }

        var perStep = (long)Math.Ceiling(step / BucketWidth);
        var points = (int)Math.Ceiling(window / (BucketWidth * perStep));
        var now = CurrentEpoch();
        var series = new List<(DateTimeOffset, TrafficSnapshot)>(points);
        for (var i = 0; i < points; i++)
        {
            var last = now - ((points - 1 - i) * perStep);
            var first = last - perStep + 1;
            var startMs = EpochStartMs(first);
            var endMs = EpochStartMs(last + 1);
            if (endMs <= _originWallMs && _remote.IsEmpty)
            {
                // Before this process started counting, and no other replica's numbers: unknown, not zero.
                continue;
            }

            series.Add((DateTimeOffset.FromUnixTimeMilliseconds(startMs),
                Totals(deployment, variant, variant is null, first, last, startMs, endMs, BucketWidth * perStep)));
        }

        return series;
    }

    /// <summary>Local buckets with epochs in [<paramref name="from"/>, <paramref name="to"/>] plus other replicas' buckets starting in [<paramref name="remoteFromMs"/>, <paramref name="remoteToMs"/>).</summary>
    private TrafficSnapshot Totals(string deployment, string? variant, bool allVariants, long from, long to, long remoteFromMs, long remoteToMs, TimeSpan window)
    {
        var totals = new long[3 + _bounds.Length + 1];
        foreach (var ((name, ringVariant), ring) in _rings)
        {
            if (name == deployment && (allVariants || ringVariant == (variant ?? string.Empty)))
            {
                ring.AddTo(from, to, totals);
            }
        }

        foreach (var ((_, name, remoteVariant, startMs), counts) in _remote)
        {
            if (name == deployment && startMs >= remoteFromMs && startMs < remoteToMs && (allVariants || remoteVariant == (variant ?? string.Empty)))
            {
                for (var i = 0; i < counts.Length; i++)
                {
                    totals[i] += counts[i];
                }
            }
        }

        var latency = totals.AsSpan(3);
        return new TrafficSnapshot(window, totals[0], totals[1], totals[2],
            HistogramQuantile.Estimate(_bounds, latency, 0.50),
            HistogramQuantile.Estimate(_bounds, latency, 0.95),
            HistogramQuantile.Estimate(_bounds, latency, 0.99));
    }
}
