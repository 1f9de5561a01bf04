namespace Kiln.Monitoring.Metrics;

/// <summary>
/// Up to <see cref="MaxLabels"/> label values held inline, so that a series lookup hashes and
/// compares strings without allocating an array. A null value is the empty label value.
/// </summary>
internal readonly struct LabelKey : IEquatable<LabelKey>, IComparable<LabelKey>
{
    public const int MaxLabels = 6;

    private readonly string _v0, _v1, _v2, _v3, _v4, _v5;

    public LabelKey(ReadOnlySpan<string?> values)
    {
        if (values.Length > MaxLabels)
        {
            throw new ArgumentException($"At most {MaxLabels} labels are supported.", nameof(values));
        }

        Count = values.Length;
        _v0 = At(values, 0);
        _v1 = At(values, 1);
        _v2 = At(values, 2);
        _v3 = At(values, 3);
        _v4 = At(values, 4);
        _v5 = At(values, 5);
    }

    public int Count { get; }

    public string this[int index] => index switch
    {
        0 => _v0,
        1 => _v1,
        2 => _v2,
        3 => _v3,
        4 => _v4,
        5 => _v5,
        _ => throw new ArgumentOutOfRangeException(nameof(index)),
    };

    public string[] ToArray()
    {
        var values = new string[Count];
        for (var i = 0; i < Count; i++)
        {
            values[i] = this[i];
        }

        return values;
    }

    public bool Equals(LabelKey other) =>
        Count == other.Count
        && string.Equals(_v0, other._v0, StringComparison.Ordinal)
        && string.Equals(_v1, other._v1, StringComparison.Ordinal)
        && string.Equals(_v2, other._v2, StringComparison.Ordinal)
        && string.Equals(_v3, other._v3, StringComparison.Ordinal)
        && string.Equals(_v4, other._v4, StringComparison.Ordinal)
        && string.Equals(_v5, other._v5, StringComparison.Ordinal);

    public override bool Equals(object? obj) => obj is LabelKey other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(Count, _v0, _v1, _v2, _v3, _v4, _v5);

    public int CompareTo(LabelKey other)
    {
        for (var i = 0; i < Math.Min(Count, other.Count); i++)
        {
            var order = string.CompareOrdinal(this[i], other[i]);
            if (order != 0)
            {
                return order;
            }
        }

        return Count.CompareTo(other.Count);
    }

    private static string At(ReadOnlySpan<string?> values, int index) => index < values.Length ? values[index] ?? string.Empty : string.Empty;
}
