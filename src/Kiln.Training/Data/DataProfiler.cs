using Kiln.Core.Packaging;

namespace Kiln.Training.Data;

/// <summary>Computes the <see cref="DataProfile"/> of a model's input columns over a set of rows: the drift baseline.</summary>
public static class DataProfiler
{
    /// <summary>Categories kept by name; the rest are counted as <see cref="CategoricalProfile.Other"/>.</summary>
    public const int MaxCategories = 100;

    /// <summary>Number of equal-width histogram bins (between 10 and 20, fewer rows get fewer bins).</summary>
    public static int BinCount(int values) => Math.Clamp((int)Math.Ceiling(Math.Log2(Math.Max(values, 1)) + 1), 10, 20);

    /// <summary>Profiles <paramref name="columns"/> over <paramref name="rows"/> (row numbers into the columns).</summary>
    public static DataProfile Profile(IReadOnlyList<TabularColumn> columns, IReadOnlyList<int> rows)
    {
        ArgumentNullException.ThrowIfNull(columns);
        ArgumentNullException.ThrowIfNull(rows);
        var profiles = columns.Select(c => c.Kind == ColumnKind.Numeric ? ProfileNumeric(c, rows) : ProfileCategorical(c, rows)).ToArray();
        return new DataProfile(rows.Count, profiles);
    }

    private static ColumnProfile ProfileNumeric(TabularColumn column, IReadOnlyList<int> rows)
    {
        var source = column.Numbers!;
        var values = new double[rows.Count];
        var count = 0;
        foreach (var row in rows)
        {
            var value = source[row];
            if (!double.IsNaN(value))
            {
                values[count++] = value;
            }
        }

        var missing = rows.Count - count;
        if (count == 0)
        {
            return new ColumnProfile(column.Name, ColumnProfile.NumericKind, missing, null, null);
        }

        var sorted = values.AsSpan(0, count);
        sorted.Sort();
        double sum = 0;
        foreach (var value in sorted)
        {
            sum += value;
        }

        var mean = sum / count;
        double squares = 0;
        foreach (var value in sorted)
        {
            squares += (value - mean) * (value - mean);
        }

        var stdDev = count > 1 ? Math.Sqrt(squares / (count - 1)) : 0;
        var quantiles = new double[101];
        for (var q = 0; q <= 100; q++)
        {
            quantiles[q] = Quantile(sorted, q / 100.0);
        }

        var (edges, counts) = Histogram(sorted);
        var numeric = new NumericProfile(sorted[0], sorted[^1], mean, stdDev, quantiles, edges, counts);
        return new ColumnProfile(column.Name, ColumnProfile.NumericKind, missing, numeric, null);
    }

    /// <summary>Linear interpolation between closest ranks (numpy's default, pandas' too).</summary>
    private static double Quantile(ReadOnlySpan<double> sorted, double q)
    {
        var position = q * (sorted.Length - 1);
        var lower = (int)Math.Floor(position);
        var upper = Math.Min(lower + 1, sorted.Length - 1);
        return sorted[lower] + ((position - lower) * (sorted[upper] - sorted[lower]));
    }

    private static (double[] Edges, long[] Counts) Histogram(ReadOnlySpan<double> sorted)
    {
        var bins = BinCount(sorted.Length);
        var low = sorted[0];
        var high = sorted[^1];
        if (!(high > low))
        {
            // One value: bins of width 1 centred on it, so the baseline still has a shape to compare with.
            low -= bins / 2.0;
            high = low + bins;
        }

        var edges = new double[bins + 1];
        var width = (high - low) / bins;
        for (var b = 0; b <= bins; b++)
        {
            edges[b] = low + (b * width);
        }

        edges[bins] = high;
        var counts = new long[bins];
        foreach (var value in sorted)
        {
            var bin = (int)((value - low) / width);
            counts[Math.Clamp(bin, 0, bins - 1)]++;
        }

        return (edges, counts);
    }

    private static ColumnProfile ProfileCategorical(TabularColumn column, IReadOnlyList<int> rows)
    {
        var source = column.Values!;
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        long missing = 0;
        foreach (var row in rows)
        {
            if (source[row] is { } value)
            {
                counts[value] = counts.GetValueOrDefault(value) + 1;
            }
            else
            {
                missing++;
            }
        }

        var ordered = counts.OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal).ToArray();
        var kept = new Dictionary<string, long>(StringComparer.Ordinal);
        long other = 0;
        for (var i = 0; i < ordered.Length; i++)
        {
            if (i < MaxCategories)
            {
                kept.Add(ordered[i].Key, ordered[i].Value);
            }
            else
            {
                other += ordered[i].Value;
            }
        }

        return new ColumnProfile(column.Name, ColumnProfile.CategoricalKind, missing, null, new CategoricalProfile(kept, other));
    }
}
