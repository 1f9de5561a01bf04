namespace Kiln.Monitoring.Rollouts;

/// <summary>Tests and intervals on binomial proportions, with the textbook normal approximations.</summary>
internal static class Proportions
{
    /// <summary>The Wilson score interval for <paramref name="successes"/> out of <paramref name="trials"/>.</summary>
    public static ConfidenceInterval Wilson(long successes, long trials, double confidence)
    {
        var z = Normal.Quantile(1 - ((1 - confidence) / 2));
        double n = trials;
        var p = successes / n;
        var z2 = z * z;
        var denominator = 1 + (z2 / n);
        var center = (p + (z2 / (2 * n))) / denominator;
        var half = z / denominator * Math.Sqrt((p * (1 - p) / n) + (z2 / (4 * n * n)));
        return new ConfidenceInterval(center - half, center + half);
    }

    /// <summary>
    /// The pooled two-proportion z statistic for p₂ − p₁ (positive when the second is larger):
    /// (p₂ − p₁) / √(p̄(1 − p̄)(1/n₁ + 1/n₂)). Zero when the pooled variance is zero (both 0% or both 100%).
    /// </summary>
    public static double PooledZ(long successes1, long trials1, long successes2, long trials2)
    {
        var p1 = (double)successes1 / trials1;
        var p2 = (double)successes2 / trials2;
        var pooled = (double)(successes1 + successes2) / (trials1 + trials2);
        var variance = pooled * (1 - pooled) * ((1.0 / trials1) + (1.0 / trials2));
        return variance > 0 ? (p2 - p1) / Math.Sqrt(variance) : 0;
    }

    /// <summary>
    /// Per-group sample size to detect p₁ vs p₂ with a two-sided test at <paramref name="alpha"/> and the given
    /// power: (z₁₋α/₂√(2p̄q̄) + z₁₋β√(p₁q₁ + p₂q₂))² / (p₁ − p₂)², rounded up; null when p₁ = p₂.
    /// </summary>
    public static long? SampleSizePerGroup(double p1, double p2, double alpha, double power)
    {
        var difference = p1 - p2;
        if (difference == 0 || double.IsNaN(difference))
        {
            return null;
        }

        var zAlpha = Normal.Quantile(1 - (alpha / 2));
        var zBeta = Normal.Quantile(power);
        var mean = (p1 + p2) / 2;
        var root = (zAlpha * Math.Sqrt(2 * mean * (1 - mean))) + (zBeta * Math.Sqrt((p1 * (1 - p1)) + (p2 * (1 - p2))));
        return (long)Math.Ceiling(root * root / (difference * difference));
    }
}
