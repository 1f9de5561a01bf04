using Kiln.Monitoring.Statistics;
using Kiln.Training.Data;

namespace Kiln.Cli.Monitoring;

/// <summary>
/// Drift between two loaded tables, column by column, on the exact distributions of their raw values (no sketches:
/// offline both sides fit in memory). Kept free of console and file I/O so the demo drift tests compile it as is.
/// </summary>
internal static class TabularDrift
{
    /// <summary>
    /// Tests each compared column: the <paramref name="columns"/> given (each must exist on both sides), else every
    /// column the two tables share, in reference order. A column numeric on both sides is tested as numbers; otherwise
    /// both sides' values are compared as categories. A numeric-only method asked of a categorical column falls back to
    /// the automatic choice.
    /// </summary>
    public static DatasetDrift Compare(TabularData reference, TabularData current, DriftOptions options, IReadOnlyList<string>? columns = null)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(options);
        var features = new List<FeatureDrift>();
        foreach (var name in ColumnsToCompare(reference, current, columns))
        {
            reference.TryGetColumn(name, out var left);
            current.TryGetColumn(name, out var right);
            if (Test(left, right, options) is { } drift)
            {
                features.Add(drift);
            }
        }

        return DriftDetector.Aggregate(features, options.DatasetDriftShare);
    }

    private static IEnumerable<string> ColumnsToCompare(TabularData reference, TabularData current, IReadOnlyList<string>? columns)
    {
        if (columns is not { Count: > 0 })
        {
            return reference.Columns.Select(c => c.Name).Where(n => current.TryGetColumn(n, out _));
        }

        var missing = columns.Where(n => !reference.TryGetColumn(n, out _) || !current.TryGetColumn(n, out _)).ToArray();
        if (missing.Length > 0)
        {
            throw new ArgumentException($"--columns names {string.Join(", ", missing.Select(m => $"'{m}'"))}, which the reference or the current data does not have.");
        }

        return columns.Distinct(StringComparer.Ordinal);
    }

    /// <summary>One column's verdict, or null when either side has no values.</summary>
    private static FeatureDrift? Test(TabularColumn reference, TabularColumn current, DriftOptions options)
    {
        if (reference.Missing == reference.Length || current.Missing == current.Length)
        {
            return null;
        }

        var method = options.FeatureMethods is { } methods && methods.TryGetValue(reference.Name, out var chosen) ? chosen : options.Method;
        if (reference.Kind == ColumnKind.Numeric && current.Kind == ColumnKind.Numeric)
        {
            return DriftDetector.Numeric(reference.Name, NumericDistribution.FromValues(reference.Numbers!), NumericDistribution.FromValues(current.Numbers!), method, options.Threshold);
        }

        if (method is DriftMethod.KolmogorovSmirnov or DriftMethod.Wasserstein)
        {
            method = DriftMethod.Auto;
        }

        return DriftDetector.Categorical(reference.Name, Categories(reference), Categories(current), method, options.Threshold);
    }

    private static CategoryDistribution Categories(TabularColumn column)
    {
        var values = new string?[column.Length];
        for (var row = 0; row < values.Length; row++)
        {
            values[row] = column.Text(row);
        }

        return CategoryDistribution.FromValues(values);
    }
}
