using Kiln.Core.Binary;
using Kiln.Core.Packaging;

namespace Kiln.Monitoring.Sketches;

/// <summary>The sketch of one named column: a <see cref="QuantileSketch"/> for numeric columns, a <see cref="FrequencySketch"/> for categorical ones.</summary>
public sealed class ColumnSketch
{
    /// <summary>Histogram bins in the <see cref="NumericProfile"/> made by <see cref="ToColumnProfile"/>.</summary>
    public const int HistogramBins = 20;

    private ColumnSketch(string name, QuantileSketch? numeric, FrequencySketch? categorical)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        Name = name;
        Numeric = numeric;
        Categorical = categorical;
    }

    /// <summary>The column's name.</summary>
    public string Name { get; }

    /// <summary><see cref="ColumnProfile.NumericKind"/> or <see cref="ColumnProfile.CategoricalKind"/>.</summary>
    public string Kind => Numeric is null ? ColumnProfile.CategoricalKind : ColumnProfile.NumericKind;

    /// <summary>The sketch of a numeric column, otherwise null.</summary>
    public QuantileSketch? Numeric { get; }

    /// <summary>The sketch of a categorical column, otherwise null.</summary>
    public FrequencySketch? Categorical { get; }

    /// <summary>How many non-missing values were added.</summary>
    public long Count => Numeric?.Count ?? Categorical!.Count;

    /// <summary>How many missing values were added.</summary>
    public long Missing => Numeric?.Missing ?? Categorical!.Missing;

    /// <summary>Creates an empty numeric column sketch.</summary>
    /// <param name="name">The column's name.</param>
    /// <param name="relativeAccuracy">The quantiles' relative accuracy.</param>
    /// <returns>The column sketch.</returns>
    public static ColumnSketch CreateNumeric(string name, double relativeAccuracy = QuantileSketch.DefaultRelativeAccuracy) =>
        new(name, new QuantileSketch(relativeAccuracy), null);

    /// <summary>Creates an empty categorical column sketch.</summary>
    /// <param name="name">The column's name.</param>
    /// <param name="maxCategories">The most categories counted by name.</param>
    /// <returns>The column sketch.</returns>
    public static ColumnSketch CreateCategorical(string name, int maxCategories = FrequencySketch.DefaultMaxCategories) =>
        new(name, null, new FrequencySketch(maxCategories));

    /// <summary>Wraps an existing numeric sketch.</summary>
    /// <param name="name">The column's name.</param>
    /// <param name="sketch">The sketch.</param>
    /// <returns>The column sketch.</returns>
    public static ColumnSketch Of(string name, QuantileSketch sketch) => new(name, sketch ?? throw new ArgumentNullException(nameof(sketch)), null);

    /// <summary>Wraps an existing categorical sketch.</summary>
    /// <param name="name">The column's name.</param>
    /// <param name="sketch">The sketch.</param>
    /// <returns>The column sketch.</returns>
    public static ColumnSketch Of(string name, FrequencySketch sketch) => new(name, null, sketch ?? throw new ArgumentNullException(nameof(sketch)));

    /// <summary>Adds the values of a column sketch with the same name and kind.</summary>
    /// <param name="other">The other column sketch.</param>
    public void Merge(ColumnSketch other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.Name != Name || other.Kind != Kind)
        {
            throw new ArgumentException($"Cannot merge column '{other.Name}' ({other.Kind}) into '{Name}' ({Kind}).", nameof(other));
        }

        if (Numeric is not null)
        {
            Numeric.Merge(other.Numeric!);
        }
        else
        {
            Categorical!.Merge(other.Categorical!);
        }
    }

    /// <summary>
    /// The column as a <see cref="ColumnProfile"/>: for numeric columns the 101 percentiles from the sketch,
    /// a 20-bin equal-width histogram between min and max (counts from the sketch's CDF), mean, sample
    /// standard deviation, min and max; no numeric part when the column has no values.
    /// </summary>
    /// <returns>The profile.</returns>
    public ColumnProfile ToColumnProfile() => Numeric is null
        ? new ColumnProfile(Name, Kind, Missing, null, Categorical!.ToProfile())
        : new ColumnProfile(Name, Kind, Missing, NumericProfiles.From(Numeric, HistogramBins), null);

    internal void Write(LittleEndianWriter writer)
    {
        writer.String(Name);
        writer.Byte(Numeric is null ? (byte)1 : (byte)0);
        if (Numeric is null)
        {
            Categorical!.Write(writer);
        }
        else
        {
            Numeric.Write(writer);
        }
    }

    internal static ColumnSketch Read(ref LittleEndianReader reader)
    {
        var name = reader.String();
        return reader.Byte() switch
        {
            0 => new ColumnSketch(name, QuantileSketch.Read(ref reader), null),
            1 => new ColumnSketch(name, null, FrequencySketch.Read(ref reader)),
            _ => throw new FormatException("Unknown column sketch kind."),
        };
    }
}
