using System.Globalization;
using Kiln.Core.Packaging;
using Kiln.Monitoring.Sketches;

namespace Kiln.Monitoring.Statistics;

/// <summary>
/// A categorical column's counts as the drift tests see them. Values counted only as "other" (beyond a
/// sketch's or profile's category limit) form one extra category, <see cref="OtherCategory"/>.
/// </summary>
public sealed class CategoryDistribution
{
    /// <summary>The name given to the values beyond a category limit.</summary>
    public const string OtherCategory = "\u0000other";

    private readonly Dictionary<string, double> _counts;

    private CategoryDistribution(Dictionary<string, double> counts)
    {
        _counts = counts;
        foreach (var count in counts.Values)
        {
            Total += count;
        }
    }

    /// <summary>Count per category (whole numbers, except for numeric columns read off percentiles).</summary>
    public IReadOnlyDictionary<string, double> Counts => _counts;

    /// <summary>The total count.</summary>
    public double Total { get; }

    /// <summary>Counts raw values; nulls are dropped as missing.</summary>
    /// <param name="values">The values.</param>
    /// <returns>The distribution.</returns>
    public static CategoryDistribution FromValues(IEnumerable<string?> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var counts = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var value in values)
        {
            if (value is not null)
            {
                counts[value] = counts.GetValueOrDefault(value) + 1;
            }
        }

        return new CategoryDistribution(counts);
    }

    /// <summary>Wraps counts per category.</summary>
    /// <param name="counts">Count per category.</param>
    /// <param name="other">Count of values beyond the category limit.</param>
    /// <returns>The distribution.</returns>
    public static CategoryDistribution FromCounts(IReadOnlyDictionary<string, long> counts, long other = 0)
    {
        ArgumentNullException.ThrowIfNull(counts);
        var copy = new Dictionary<string, double>(counts.Count + 1, StringComparer.Ordinal);
        foreach (var (key, count) in counts)
        {
            if (count > 0)
            {
                copy[key] = count;
            }
        }

        if (other > 0)
        {
            copy[OtherCategory] = other;
        }

        return new CategoryDistribution(copy);
    }

    /// <summary>The counts a frequency sketch holds.</summary>
    /// <param name="sketch">The sketch.</param>
    /// <returns>The distribution.</returns>
    public static CategoryDistribution FromSketch(FrequencySketch sketch) =>
        FromCounts((sketch ?? throw new ArgumentNullException(nameof(sketch))).Counts, sketch.Other);

    /// <summary>The counts a reference profile holds.</summary>
    /// <param name="profile">The categorical profile.</param>
    /// <returns>The distribution.</returns>
    public static CategoryDistribution FromProfile(CategoricalProfile profile) =>
        FromCounts((profile ?? throw new ArgumentNullException(nameof(profile))).Frequencies, profile.Other);

    /// <summary>A numeric column read as categories (its distinct values, exact or from percentiles; see <see cref="NumericDistribution.DistinctCount"/>).</summary>
    /// <param name="distribution">The numeric distribution.</param>
    /// <returns>The distribution, with counts scaled to the numeric count.</returns>
    public static CategoryDistribution FromNumeric(NumericDistribution distribution)
    {
        ArgumentNullException.ThrowIfNull(distribution);
        var counts = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var (value, share) in distribution.ValueShares())
        {
            counts[value.ToString("R", CultureInfo.InvariantCulture)] = share * distribution.Count;
        }

        return new CategoryDistribution(counts);
    }

    /// <summary>The union of both sides' categories, in ordinal order, with each side's count (0 when absent).</summary>
    internal static (double[] Reference, double[] Current) Align(CategoryDistribution reference, CategoryDistribution current)
    {
        var keys = new SortedSet<string>(reference._counts.Keys, StringComparer.Ordinal);
        keys.UnionWith(current._counts.Keys);
        var left = new double[keys.Count];
        var right = new double[keys.Count];
        var i = 0;
        foreach (var key in keys)
        {
            left[i] = reference._counts.GetValueOrDefault(key);
            right[i] = current._counts.GetValueOrDefault(key);
            i++;
        }

        return (left, right);
    }
}
