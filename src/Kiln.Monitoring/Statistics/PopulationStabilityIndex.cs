namespace Kiln.Monitoring.Statistics;

/// <summary>
/// The population stability index, Σ (cur − ref) · ln(cur / ref) over bins of proportions, each proportion
/// clipped below at 0.0001 (without renormalising) so empty bins do not make it infinite.
/// Numeric bins: 10 bins cut at the reference's deciles (numpy linear quantiles at 0.1 … 0.9), right-closed
/// (x ≤ edge falls in the lower bin), the outer two open-ended. Categorical bins: the union of categories.
/// This is the usual credit-risk convention rather than Evidently's equal-width bins over both samples.
/// </summary>
public static class PopulationStabilityIndex
{
    /// <summary>The smallest proportion a bin counts with.</summary>
    public const double MinProportion = 0.0001;

    /// <summary>Number of numeric bins.</summary>
    public const int Bins = 10;

    /// <summary>PSI between two raw samples.</summary>
    /// <param name="reference">The reference sample.</param>
    /// <param name="current">The current sample.</param>
    /// <returns>The index.</returns>
    public static double Compute(ReadOnlySpan<double> reference, ReadOnlySpan<double> current) =>
        Compute(NumericDistribution.FromValues(reference), NumericDistribution.FromValues(current));

    /// <summary>PSI between two numeric distributions (bin shares read off each side's CDF).</summary>
    /// <param name="reference">The reference distribution.</param>
    /// <param name="current">The current distribution.</param>
    /// <returns>The index; NaN when either side is empty.</returns>
    public static double Compute(NumericDistribution reference, NumericDistribution current)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(current);
        if (reference.Count == 0 || current.Count == 0)
        {
            return double.NaN;
        }

        Span<double> deciles = stackalloc double[Bins - 1];
        Span<double> probabilities = stackalloc double[Bins - 1];
        for (var k = 0; k < probabilities.Length; k++)
        {
            probabilities[k] = (k + 1) / (double)Bins;
        }

        reference.Quantiles(probabilities, deciles);
        double psi = 0, referenceBelow = 0, currentBelow = 0;
        for (var bin = 0; bin < Bins; bin++)
        {
            var referenceUpTo = bin == Bins - 1 ? 1 : reference.Cdf(deciles[bin]);
            var currentUpTo = bin == Bins - 1 ? 1 : current.Cdf(deciles[bin]);
            psi += Term(referenceUpTo - referenceBelow, currentUpTo - currentBelow);
            referenceBelow = referenceUpTo;
            currentBelow = currentUpTo;
        }

        return psi;
    }

    /// <summary>PSI between two categorical distributions over the union of categories.</summary>
    /// <param name="reference">The reference counts.</param>
    /// <param name="current">The current counts.</param>
    /// <returns>The index; NaN when either side is empty.</returns>
    public static double Compute(CategoryDistribution reference, CategoryDistribution current)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(current);
        if (reference.Total <= 0 || current.Total <= 0)
        {
            return double.NaN;
        }

        var (left, right) = CategoryDistribution.Align(reference, current);
        double psi = 0;
        for (var i = 0; i < left.Length; i++)
        {
            psi += Term(left[i] / reference.Total, right[i] / current.Total);
        }

        return psi;
    }

    private static double Term(double reference, double current)
    {
        reference = Math.Max(reference, MinProportion);
        current = Math.Max(current, MinProportion);
        return (current - reference) * Math.Log(current / reference);
    }
}
