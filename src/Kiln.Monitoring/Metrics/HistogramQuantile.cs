namespace Kiln.Monitoring.Metrics;

/// <summary>
/// Estimates a quantile from bucket counts the way PromQL's <c>histogram_quantile</c> does:
/// find the bucket holding the rank and interpolate linearly inside it.
/// </summary>
public static class HistogramQuantile
{
    /// <summary>
    /// The <paramref name="q"/>-quantile (0..1) of observations counted per bucket (not cumulative,
    /// <c>+Inf</c> last) against ascending finite <paramref name="bounds"/>; null without observations.
    /// A rank in the <c>+Inf</c> bucket answers the highest finite bound; the first bucket's lower bound is 0.
    /// </summary>
    public static double? Estimate(ReadOnlySpan<double> bounds, ReadOnlySpan<long> counts, double q)
    {
        if (counts.Length != bounds.Length + 1)
        {
            throw new ArgumentException("There must be one count per bound plus one for +Inf.", nameof(counts));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(q, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(q, 1);
        long total = 0;
        foreach (var count in counts)
        {
            total += count;
        }

        if (total == 0)
        {
            return null;
        }

        var rank = q * total;
        long below = 0;
        for (var i = 0; i < bounds.Length; i++)
        {
            var inBucket = counts[i];
            if (below + inBucket >= rank && inBucket > 0)
            {
                var lower = i == 0 ? 0 : bounds[i - 1];
                return lower + ((bounds[i] - lower) * ((rank - below) / inBucket));
            }

            below += inBucket;
        }

        return bounds.Length > 0 ? bounds[^1] : null;
    }
}
