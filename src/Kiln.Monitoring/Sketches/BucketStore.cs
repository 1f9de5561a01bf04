namespace Kiln.Monitoring.Sketches;

/// <summary>
/// Dense counts over a contiguous range of integer bucket keys, never spanning more than
/// <see cref="MaxBuckets"/> keys: when a new key would widen the range past that, the lowest
/// buckets are folded into the lowest kept one (DDSketch's "collapsing lowest" store).
/// </summary>
internal sealed class BucketStore
{
    private long[] _counts = [];
    private int _offset;
    private int _min;
    private int _max = -1;

    public BucketStore(int maxBuckets) => MaxBuckets = maxBuckets;

    public int MaxBuckets { get; }

    public long Total { get; private set; }

    public bool IsEmpty => Total == 0;

    /// <summary>Lowest key holding a count (meaningless when empty).</summary>
    public int MinKey => _min;

    /// <summary>Highest key holding a count (meaningless when empty).</summary>
    public int MaxKey => _max;

    public long CountAt(int key) => key < _min || key > _max ? 0 : _counts[key - _offset];

    public void Add(int key, long count)
    {
        if (count <= 0)
        {
            return;
        }

        if (Total == 0)
        {
            Reserve(key, key);
            _min = _max = key;
        }
        else if (key < _min)
        {
            if ((long)_max - key >= MaxBuckets)
            {
                key = _max - MaxBuckets + 1;
            }

            if (key < _min)
            {
                Reserve(key, _max);
                _min = key;
            }
        }
        else if (key > _max)
        {
            if ((long)key - _min >= MaxBuckets)
            {
                CollapseBelow(key - MaxBuckets + 1);
            }

            Reserve(_min, key);
            _max = key;
        }

        _counts[key - _offset] += count;
        Total += count;
    }

    public void Merge(BucketStore other)
    {
        if (other.IsEmpty)
        {
            return;
        }

        // Adding the highest keys first makes a collapse fold the other's lowest keys, as a single store would.
        for (var key = other._max; key >= other._min; key--)
        {
            Add(key, other._counts[key - other._offset]);
        }
    }

    private void CollapseBelow(int newMin)
    {
        long folded = 0;
        var last = Math.Min(_max, newMin - 1);
        for (var key = _min; key <= last; key++)
        {
            folded += _counts[key - _offset];
            _counts[key - _offset] = 0;
        }

        if (newMin > _max)
        {
            Reserve(newMin, newMin);
            _max = newMin;
        }
        else
        {
            Reserve(newMin, _max);
        }

        _min = newMin;
        _counts[newMin - _offset] += folded;
    }

    private void Reserve(int low, int high)
    {
        if (_counts.Length > 0 && low >= _offset && high < _offset + _counts.Length)
        {
            return;
        }

        var needed = high - low + 1;
        var length = Math.Min(MaxBuckets, Math.Max(Math.Max(needed * 2, 64), _counts.Length * 2));
        length = Math.Max(length, needed);
        var offset = low - ((length - needed) / 2);
        var counts = new long[length];
        if (Total > 0)
        {
            for (var key = Math.Max(_min, offset); key <= Math.Min(_max, offset + length - 1); key++)
            {
                counts[key - offset] = _counts[key - _offset];
            }
        }

        _counts = counts;
        _offset = offset;
    }
}
