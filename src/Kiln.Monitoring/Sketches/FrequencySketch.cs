using Kiln.Core.Binary;
using Kiln.Core.Packaging;

namespace Kiln.Monitoring.Sketches;

/// <summary>
/// Exact counts per category of a categorical column, for at most <see cref="MaxCategories"/>
/// distinct categories; values of categories first seen after the limit is reached count into
/// <see cref="Other"/>. Mergeable: merging keeps the receiver's categories first.
/// </summary>
public sealed class FrequencySketch
{
    /// <summary>The default limit on distinct categories: 1000.</summary>
    public const int DefaultMaxCategories = 1000;

    private const byte FormatVersion = 1;

    private readonly Dictionary<string, long> _counts = new(StringComparer.Ordinal);

    /// <summary>Creates an empty sketch.</summary>
    /// <param name="maxCategories">The most categories counted by name.</param>
    public FrequencySketch(int maxCategories = DefaultMaxCategories)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxCategories, 1);
        MaxCategories = maxCategories;
    }

    /// <summary>The most categories counted by name.</summary>
    public int MaxCategories { get; }

    /// <summary>How many non-missing values were added (including <see cref="Other"/>).</summary>
    public long Count { get; private set; }

    /// <summary>How many missing (null) values were added.</summary>
    public long Missing { get; private set; }

    /// <summary>How many values fell in categories beyond the limit.</summary>
    public long Other { get; private set; }

    /// <summary>The count per named category.</summary>
    public IReadOnlyDictionary<string, long> Counts => _counts;

    /// <summary>Adds one value; null counts as missing.</summary>
    /// <param name="value">The category.</param>
    public void Add(string? value) => Add(value, 1);

    /// <summary>Adds <paramref name="count"/> values of one category; null counts as missing.</summary>
    /// <param name="value">The category.</param>
    /// <param name="count">How many values.</param>
    public void Add(string? value, long count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (value is null)
        {
            Missing += count;
            return;
        }

        Count += count;
        if (_counts.TryGetValue(value, out var existing))
        {
            _counts[value] = existing + count;
        }
        else if (_counts.Count < MaxCategories)
        {
            _counts.Add(value, count);
        }
        else
        {
            Other += count;
        }
    }

    /// <summary>Adds every value of <paramref name="other"/> to this sketch.</summary>
    /// <param name="other">Another sketch.</param>
    public void Merge(FrequencySketch other)
    {
        ArgumentNullException.ThrowIfNull(other);
        Missing += other.Missing;
        Other += other.Other;
        Count += other.Other;

        // Ordinal order, so the categories kept at the limit do not depend on dictionary internals.
        foreach (var key in SortedKeys(other._counts))
        {
            Add(key, other._counts[key]);
        }
    }

    /// <summary>Builds a sketch holding the counts of a profiled categorical column.</summary>
    /// <param name="profile">The categorical profile.</param>
    /// <param name="missing">The column's missing count.</param>
    /// <returns>The sketch.</returns>
    public static FrequencySketch FromProfile(CategoricalProfile profile, long missing = 0)
    {
        ArgumentNullException.ThrowIfNull(profile);
        var sketch = new FrequencySketch(Math.Max(DefaultMaxCategories, profile.Frequencies.Count));
        foreach (var key in SortedKeys(profile.Frequencies))
        {
            sketch.Add(key, profile.Frequencies[key]);
        }

        sketch.Other += profile.Other;
        sketch.Count += profile.Other;
        sketch.Missing = missing;
        return sketch;
    }

    /// <summary>The counts as a <see cref="CategoricalProfile"/>.</summary>
    /// <returns>The profile.</returns>
    public CategoricalProfile ToProfile() => new(new Dictionary<string, long>(_counts, StringComparer.Ordinal), Other);

    /// <summary>The sketch as compact bytes: a version byte, the limit, counts, then categories in ordinal order.</summary>
    /// <returns>The bytes; <see cref="FromBytes"/> reads them back.</returns>
    public byte[] ToBytes()
    {
        var writer = new LittleEndianWriter();
        Write(writer);
        return writer.ToArray();
    }

    /// <summary>Reads a sketch written by <see cref="ToBytes"/>.</summary>
    /// <param name="bytes">The bytes.</param>
    /// <returns>The sketch.</returns>
    /// <exception cref="FormatException">The bytes are not a sketch of a supported version.</exception>
    public static FrequencySketch FromBytes(ReadOnlySpan<byte> bytes)
    {
        var reader = new LittleEndianReader(bytes);
        var sketch = Read(ref reader);
        reader.ExpectEnd();
        return sketch;
    }

    internal void Write(LittleEndianWriter writer)
    {
        writer.Byte(FormatVersion);
        writer.Int32(MaxCategories);
        writer.Int64(Missing);
        writer.Int64(Other);
        writer.Int32(_counts.Count);
        foreach (var key in SortedKeys(_counts))
        {
            writer.String(key);
            writer.Int64(_counts[key]);
        }
    }

    internal static FrequencySketch Read(ref LittleEndianReader reader)
    {
        reader.Version(FormatVersion, "frequency sketch");
        var max = reader.Int32();
        if (max < 1)
        {
            throw new FormatException("The frequency sketch bytes are corrupt.");
        }

        var sketch = new FrequencySketch(max) { Missing = reader.Int64(), Other = reader.Int64() };
        sketch.Count = sketch.Other;
        var categories = reader.Int32();
        if (categories < 0 || categories > max)
        {
            throw new FormatException("The frequency sketch bytes are corrupt.");
        }

        for (var i = 0; i < categories; i++)
        {
            sketch.Add(reader.String(), reader.Int64());
        }

        return sketch;
    }

    private static string[] SortedKeys<TValue>(IReadOnlyDictionary<string, TValue> counts)
    {
        var keys = new string[counts.Count];
        var i = 0;
        foreach (var key in counts.Keys)
        {
            keys[i++] = key;
        }

        Array.Sort(keys, StringComparer.Ordinal);
        return keys;
    }
}
