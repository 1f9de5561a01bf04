namespace Kiln.Core.Packaging;

/// <summary>
/// Per-column statistics of a model's training data: the baseline that drift is measured against.
/// </summary>
/// <param name="Rows">How many rows were profiled.</param>
/// <param name="Columns">One profile per input column, in the model's column order.</param>
public sealed record DataProfile(long Rows, IReadOnlyList<ColumnProfile> Columns);

/// <summary>The statistics of one column.</summary>
/// <param name="Name">The column's name.</param>
/// <param name="Kind"><c>numeric</c> or <c>categorical</c>.</param>
/// <param name="Missing">How many values were missing (empty, NA, null).</param>
/// <param name="Numeric">For numeric columns: range, moments, quantiles and a histogram.</param>
/// <param name="Categorical">For categorical columns: category frequencies.</param>
public sealed record ColumnProfile(string Name, string Kind, long Missing, NumericProfile? Numeric, CategoricalProfile? Categorical)
{
    /// <summary>The kind of a numeric column.</summary>
    public const string NumericKind = "numeric";

    /// <summary>The kind of a categorical column.</summary>
    public const string CategoricalKind = "categorical";
}

/// <summary>Distribution of a numeric column.</summary>
/// <param name="Min">Smallest value.</param>
/// <param name="Max">Largest value.</param>
/// <param name="Mean">Mean.</param>
/// <param name="StdDev">Standard deviation.</param>
/// <param name="Quantiles">The 0th, 1st, …, 100th percentiles (101 values).</param>
/// <param name="BinEdges">Histogram bin edges (one more than the counts).</param>
/// <param name="BinCounts">Histogram counts per bin.</param>
public sealed record NumericProfile(double Min, double Max, double Mean, double StdDev, IReadOnlyList<double> Quantiles, IReadOnlyList<double> BinEdges, IReadOnlyList<long> BinCounts);

/// <summary>Distribution of a categorical column.</summary>
/// <param name="Frequencies">Count per category (the most frequent ones, up to a limit).</param>
/// <param name="Other">Count of values in categories beyond the limit.</param>
public sealed record CategoricalProfile(IReadOnlyDictionary<string, long> Frequencies, long Other);
