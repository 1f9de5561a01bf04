namespace Kiln.Monitoring.Statistics;

/// <summary>
/// The 1-D Wasserstein (earth mover's) distance W1 = ∫ |F_ref − F_cur| dx = ∫₀¹ |Q_ref(u) − Q_cur(u)| du, and
/// Evidently's normed form W1 / max(σ_ref, 0.001) with σ the reference's population standard deviation
/// (the 0.001 floor keeps a constant reference column from dividing by zero).
/// </summary>
public static class WassersteinDistance
{
    /// <summary>Grid of the quantile integral when either side is not raw values.</summary>
    internal const int GridPoints = 4096;

    /// <summary>The smallest reference standard deviation the normed distance divides by.</summary>
    public const double MinNorm = 0.001;

    /// <summary>The exact distance between two raw samples (scipy.stats.wasserstein_distance); NaN values are dropped.</summary>
    /// <param name="reference">The reference sample.</param>
    /// <param name="current">The current sample.</param>
    /// <returns>W1.</returns>
    public static double Compute(ReadOnlySpan<double> reference, ReadOnlySpan<double> current) =>
        Compute(NumericDistribution.FromValues(reference), NumericDistribution.FromValues(current));

    /// <summary>
    /// The distance between two distributions: exact for raw values, otherwise the midpoint rule over
    /// 4096 quantiles of each side.
    /// </summary>
    /// <param name="reference">The reference distribution.</param>
    /// <param name="current">The current distribution.</param>
    /// <returns>W1; NaN when either side is empty.</returns>
    public static double Compute(NumericDistribution reference, NumericDistribution current)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(current);
        if (reference.Count == 0 || current.Count == 0)
        {
            return double.NaN;
        }

        return reference is SampleDistribution left && current is SampleDistribution right
            ? Exact(left.Sorted, right.Sorted)
            : FromQuantiles(reference, current);
    }

    /// <summary>W1 divided by max(reference population standard deviation, 0.001).</summary>
    /// <param name="reference">The reference distribution.</param>
    /// <param name="current">The current distribution.</param>
    /// <returns>The normed distance.</returns>
    public static double ComputeNormed(NumericDistribution reference, NumericDistribution current)
    {
        ArgumentNullException.ThrowIfNull(reference);
        return Compute(reference, current) / Math.Max(reference.PopulationStdDev, MinNorm);
    }

    /// <summary>The normed distance between two raw samples.</summary>
    /// <param name="reference">The reference sample.</param>
    /// <param name="current">The current sample.</param>
    /// <returns>The normed distance.</returns>
    public static double ComputeNormed(ReadOnlySpan<double> reference, ReadOnlySpan<double> current) =>
        ComputeNormed(NumericDistribution.FromValues(reference), NumericDistribution.FromValues(current));

    /// <summary>∫ |F_a(x) − F_b(x)| dx over the merged sorted values, both CDFs right-continuous steps.</summary>
    private static double Exact(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        int i = 0, j = 0;
        double total = 0;
        var previous = Math.Min(a[0], b[0]);
        while (i < a.Length || j < b.Length)
        {
            var value = j >= b.Length || (i < a.Length && a[i] <= b[j]) ? a[i] : b[j];
            total += Math.Abs(((double)i / a.Length) - ((double)j / b.Length)) * (value - previous);
            while (i < a.Length && a[i] == value)
            {
                i++;
            }

            while (j < b.Length && b[j] == value)
            {
                j++;
            }

            previous = value;
        }

        return total;
    }

    private static double FromQuantiles(NumericDistribution reference, NumericDistribution current)
    {
        var probabilities = new double[GridPoints];
        for (var k = 0; k < GridPoints; k++)
        {
            probabilities[k] = (k + 0.5) / GridPoints;
        }

        var left = new double[GridPoints];
        var right = new double[GridPoints];
        reference.Quantiles(probabilities, left);
        current.Quantiles(probabilities, right);
        double total = 0;
        for (var k = 0; k < GridPoints; k++)
        {
            total += Math.Abs(left[k] - right[k]);
        }

        return total / GridPoints;
    }
}
