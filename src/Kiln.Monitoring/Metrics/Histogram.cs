namespace Kiln.Monitoring.Metrics;

/// <summary>
/// One histogram series with fixed upper bounds. Each observation increments one bucket (not the
/// cumulative ones: cumulating happens when the text is written) and adds to the sum, lock-free.
/// </summary>
public sealed class Histogram
{
    private readonly double[] _bounds;
    private readonly long[] _counts;
    private double _sum;

    internal Histogram(double[] bounds)
    {
        _bounds = bounds;
        _counts = new long[bounds.Length + 1];
    }

    /// <summary>The finite upper bounds, ascending; the last bucket (<c>+Inf</c>) is implicit.</summary>
    public ReadOnlySpan<double> Bounds => _bounds;

    /// <summary>The sum of every observed value.</summary>
    public double Sum => Volatile.Read(ref _sum);

    /// <summary>The number of observations.</summary>
    public long Count
    {
        get
        {
            long count = 0;
            foreach (ref var bucket in _counts.AsSpan())
            {
                count += Volatile.Read(ref bucket);
            }

            return count;
        }
    }

    /// <summary>Records one value.</summary>
    public void Observe(double value)
    {
        Interlocked.Increment(ref _counts[BucketIndex(_bounds, value)]);
        AtomicDouble.Add(ref _sum, value);
    }

    /// <summary>Copies the per-bucket (not cumulative) counts, the <c>+Inf</c> bucket last, into <paramref name="destination"/>.</summary>
    public void CopyBucketCounts(Span<long> destination)
    {
        for (var i = 0; i < _counts.Length; i++)
        {
            destination[i] = Volatile.Read(ref _counts[i]);
        }
    }

    /// <summary>The index of the bucket a value falls in: the first bound it does not exceed, else the <c>+Inf</c> bucket.</summary>
    internal static int BucketIndex(ReadOnlySpan<double> bounds, double value)
    {
        // A linear scan beats a binary search over the ~16 bounds a serving histogram has.
        var i = 0;
        while (i < bounds.Length && value > bounds[i])
        {
            i++;
        }

        return i;
    }
}
