namespace Kiln.Monitoring.Sketches;

/// <summary>
/// Exact counts of the first few distinct values of a numeric column. Once more than
/// <see cref="Capacity"/> distinct values are seen it gives up for good, so it costs one
/// flag check per value on continuous data and answers exactly on low-cardinality data
/// (flags, ratings, small integer codes), where a log-bucketed sketch would blur the values.
/// </summary>
internal sealed class ExactValues
{
    public const int Capacity = 16;

    private readonly double[] _values = new double[Capacity];
    private readonly long[] _counts = new long[Capacity];

    public int Count { get; private set; }

    public bool Overflowed { get; private set; }

    public double ValueAt(int index) => _values[index];

    public long CountAt(int index) => _counts[index];

    public void Add(double value, long count)
    {
        if (Overflowed)
        {
            return;
        }

        for (var i = 0; i < Count; i++)
        {
            if (_values[i] == value)
            {
                _counts[i] += count;
                return;
            }
        }

        if (Count == Capacity)
        {
            Overflowed = true;
            return;
        }

        // Keep the values sorted: insertion is rare (at most Capacity times) and reads want order.
        var at = Count;
        while (at > 0 && _values[at - 1] > value)
        {
            _values[at] = _values[at - 1];
            _counts[at] = _counts[at - 1];
            at--;
        }

        _values[at] = value;
        _counts[at] = count;
        Count++;
    }

    public void Merge(ExactValues other)
    {
        if (other.Overflowed)
        {
            Overflowed = true;
            return;
        }

        for (var i = 0; i < other.Count && !Overflowed; i++)
        {
            Add(other._values[i], other._counts[i]);
        }
    }

    public void MarkOverflowed() => Overflowed = true;
}
