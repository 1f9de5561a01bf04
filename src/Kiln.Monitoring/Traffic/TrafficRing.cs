using Kiln.Monitoring.Metrics;

namespace Kiln.Monitoring.Traffic;

/// <summary>
/// A ring of time buckets for one deployment variant, in one flat array: per slot the bucket's
/// epoch, requests, 5xx, 4xx and a latency histogram. Recording is lock-free while the slot is
/// current; the first request of a new bucket takes a lock to clear the slot it reuses.
/// </summary>
internal sealed class TrafficRing
{
    private const int EpochCell = 0;
    private const int RequestsCell = 1;
    private const int ServerErrorsCell = 2;
    private const int ClientErrorsCell = 3;
    private const int FirstBucketCell = 4;

    private readonly Lock _gate = new();
    private readonly double[] _bounds;
    private readonly long[] _cells;
    private readonly int _stride;
    private readonly int _slots;

    public TrafficRing(int slots, double[] bounds)
    {
        _slots = slots;
        _bounds = bounds;
        _stride = FirstBucketCell + bounds.Length + 1;
        _cells = new long[slots * _stride];
        for (var slot = 0; slot < slots; slot++)
        {
            _cells[slot * _stride] = -1;
        }
    }

    public void Record(long epoch, int statusCode, double seconds)
    {
        var at = (int)(epoch % _slots) * _stride;
        var slotEpoch = Volatile.Read(ref _cells[at + EpochCell]);
        if (slotEpoch != epoch && !Roll(at, epoch))
        {
            return;
        }

        Interlocked.Increment(ref _cells[at + RequestsCell]);
        if (statusCode >= 500)
        {
            Interlocked.Increment(ref _cells[at + ServerErrorsCell]);
        }
        else if (statusCode >= 400)
        {
            Interlocked.Increment(ref _cells[at + ClientErrorsCell]);
        }

        Interlocked.Increment(ref _cells[at + FirstBucketCell + Histogram.BucketIndex(_bounds, seconds)]);
    }

    /// <summary>Adds the buckets with epochs in [<paramref name="from"/>, <paramref name="to"/>] into <paramref name="totals"/> (requests, 5xx, 4xx, latency buckets).</summary>
    public void AddTo(long from, long to, Span<long> totals)
    {
        for (var slot = 0; slot < _slots; slot++)
        {
            var at = slot * _stride;
            var epoch = Volatile.Read(ref _cells[at + EpochCell]);
            if (epoch < from || epoch > to)
            {
                continue;
            }

            for (var i = 1; i < _stride; i++)
            {
                totals[i - 1] += Volatile.Read(ref _cells[at + i]);
            }
        }
    }

    public int TotalsLength => _stride - 1;

    /// <summary>The buckets with epochs at or after <paramref name="from"/>, each as its epoch and its counts (requests, 5xx, 4xx, latency buckets).</summary>
    public IEnumerable<(long Epoch, long[] Counts)> Export(long from)
    {
        for (var slot = 0; slot < _slots; slot++)
        {
            var at = slot * _stride;
            var epoch = Volatile.Read(ref _cells[at + EpochCell]);
            if (epoch < from)
            {
                continue;
            }

            var counts = new long[_stride - 1];
            for (var i = 1; i < _stride; i++)
            {
                counts[i - 1] = Volatile.Read(ref _cells[at + i]);
            }

            yield return (epoch, counts);
        }
    }

    /// <summary>Claims a slot for a new epoch; false when the slot already holds a newer one (the caller stalled a whole ring).</summary>
    private bool Roll(int at, long epoch)
    {
        lock (_gate)
        {
            var current = _cells[at + EpochCell];
            if (current == epoch)
            {
                return true;
            }

            if (current > epoch)
            {
                return false;
            }

            Array.Clear(_cells, at + 1, _stride - 1);
            // Publish the epoch last: lock-free recorders only count into a slot once it is cleared.
            Volatile.Write(ref _cells[at + EpochCell], epoch);
            return true;
        }
    }
}
