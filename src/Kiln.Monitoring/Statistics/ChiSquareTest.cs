namespace Kiln.Monitoring.Statistics;

/// <summary>
/// Evidently's chi-square drift test: over the union of both sides' categories, the current counts are
/// compared with the reference counts scaled to the current total (scipy.stats.chisquare with
/// k − 1 degrees of freedom). A category seen now but never in the reference makes the statistic
/// infinite (p = 0), as in scipy.
/// </summary>
public static class ChiSquareTest
{
    /// <summary>Tests current counts against reference proportions.</summary>
    /// <param name="reference">The reference counts.</param>
    /// <param name="current">The current counts.</param>
    /// <returns>The statistic and p-value; 0 and 1 when either side is empty or there is a single category.</returns>
    public static TestResult Test(CategoryDistribution reference, CategoryDistribution current)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(current);
        if (reference.Total <= 0 || current.Total <= 0)
        {
            return new TestResult(0, 1);
        }

        var (expected, observed) = CategoryDistribution.Align(reference, current);
        if (expected.Length < 2)
        {
            return new TestResult(0, 1);
        }

        var scale = current.Total / reference.Total;
        double statistic = 0;
        for (var i = 0; i < expected.Length; i++)
        {
            var e = expected[i] * scale;
            var gap = observed[i] - e;
            statistic += e == 0 ? double.PositiveInfinity : gap * gap / e;
        }

        return new TestResult(statistic, SpecialFunctions.ChiSquareSf(statistic, expected.Length - 1));
    }
}
