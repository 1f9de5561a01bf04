namespace Kiln.Monitoring.Statistics;

/// <summary>
/// The two-sample Kolmogorov–Smirnov test. The statistic D is the largest gap between the two empirical
/// CDFs; the p-value is the limiting Kolmogorov distribution's survival function at D·√(nm / (n + m))
/// (scipy's <c>kstwobign.sf</c>, <c>scipy.special.kolmogorov</c>). scipy's <c>ks_2samp</c> differs: its
/// default uses exact p-values below 10 000 values per side, and its <c>method='asymp'</c> uses the finite-n
/// distribution <c>kstwo.sf(D, round(nm / (n + m)))</c>; the asymptotic value here is slightly larger
/// (more conservative) at small n and converges to both as n grows.
/// </summary>
public static class KolmogorovSmirnovTest
{
    /// <summary>The exact statistic of two raw samples (NaN values are dropped) and its asymptotic p-value.</summary>
    /// <param name="reference">The reference sample.</param>
    /// <param name="current">The current sample.</param>
    /// <returns>D and the p-value.</returns>
    public static TestResult Test(ReadOnlySpan<double> reference, ReadOnlySpan<double> current) =>
        Test(NumericDistribution.FromValues(reference), NumericDistribution.FromValues(current));

    /// <summary>
    /// The statistic between two distributions (exact for raw values; for sketches and profiles the largest CDF gap
    /// over both sides' quantile grids) and its asymptotic p-value for their counts.
    /// </summary>
    /// <param name="reference">The reference distribution.</param>
    /// <param name="current">The current distribution.</param>
    /// <returns>D and the p-value; D = 0 and p = 1 when either side is empty.</returns>
    public static TestResult Test(NumericDistribution reference, NumericDistribution current)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(current);
        if (reference.Count == 0 || current.Count == 0)
        {
            return new TestResult(0, 1);
        }

        var d = reference is SampleDistribution left && current is SampleDistribution right
            ? ExactStatistic(left.Sorted, right.Sorted)
            : Math.Max(LargestGap(reference.CdfPoints(), reference, current), LargestGap(current.CdfPoints(), reference, current));
        return new TestResult(d, PValue(d, reference.Count, current.Count));
    }

    /// <summary>The asymptotic two-sided p-value of D for sample sizes n and m.</summary>
    /// <param name="statistic">D.</param>
    /// <param name="n">The first sample's size.</param>
    /// <param name="m">The second sample's size.</param>
    /// <returns>The p-value.</returns>
    public static double PValue(double statistic, long n, long m)
    {
        var effective = (double)n * m / (n + m);
        return SpecialFunctions.KolmogorovSf(statistic * Math.Sqrt(effective));
    }

    private static double ExactStatistic(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        int i = 0, j = 0;
        double d = 0;
        while (i < a.Length && j < b.Length)
        {
            var value = Math.Min(a[i], b[j]);
            while (i < a.Length && a[i] == value)
            {
                i++;
            }

            while (j < b.Length && b[j] == value)
            {
                j++;
            }

            d = Math.Max(d, Math.Abs(((double)i / a.Length) - ((double)j / b.Length)));
        }

        return d;
    }

    private static double LargestGap(ReadOnlySpan<double> points, NumericDistribution reference, NumericDistribution current)
    {
        double d = 0;
        foreach (var x in points)
        {
            d = Math.Max(d, Math.Abs(reference.Cdf(x) - current.Cdf(x)));
        }

        return d;
    }
}
