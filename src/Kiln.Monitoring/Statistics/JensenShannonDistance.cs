namespace Kiln.Monitoring.Statistics;

/// <summary>
/// The Jensen–Shannon distance between two categorical distributions: the square root of the mean
/// Kullback–Leibler divergence of each from their midpoint, natural log, no smoothing
/// (scipy.spatial.distance.jensenshannon on proportions over the union of categories, as Evidently calls it).
/// Ranges over [0, √ln 2].
/// </summary>
public static class JensenShannonDistance
{
    /// <summary>The distance between two count distributions.</summary>
    /// <param name="reference">The reference counts.</param>
    /// <param name="current">The current counts.</param>
    /// <returns>The distance; 0 when either side is empty.</returns>
    public static double Compute(CategoryDistribution reference, CategoryDistribution current)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(current);
        if (reference.Total <= 0 || current.Total <= 0)
        {
            return 0;
        }

        var (left, right) = CategoryDistribution.Align(reference, current);
        double sum = 0;
        for (var i = 0; i < left.Length; i++)
        {
            var p = left[i] / reference.Total;
            var q = right[i] / current.Total;
            var m = (p + q) / 2;
            sum += RelativeEntropy(p, m) + RelativeEntropy(q, m);
        }

        return Math.Sqrt(Math.Max(sum / 2, 0));
    }

    private static double RelativeEntropy(double p, double m) => p > 0 ? p * Math.Log(p / m) : 0;
}
