using System.Buffers;

namespace Kiln.Monitoring.Rollouts;

/// <summary>
/// ROC AUC with its variance by DeLong's method, computed from midranks as in Sun &amp; Xu (2014), "Fast
/// implementation of DeLong's algorithm": O(n log n) instead of comparing every (positive, negative) pair.
/// </summary>
internal static class DeLong
{
    /// <summary>The AUC and its DeLong variance; null AUC without both classes, null variance with fewer than two of either.</summary>
    public static (double? Auc, double? Variance) Compute(ReadOnlySpan<bool> actual, ReadOnlySpan<double> scores)
    {
        var total = scores.Length;
        var m = 0;
        foreach (var positive in actual)
        {
            m += positive ? 1 : 0;
        }

        var n = total - m;
        if (m == 0 || n == 0)
        {
            return (null, null);
        }

        var pool = ArrayPool<double>.Shared;
        double[] positives = pool.Rent(m), negatives = pool.Rent(n), combined = pool.Rent(total);
        double[] rankPositives = pool.Rent(m), rankNegatives = pool.Rent(n), rankCombined = pool.Rent(total);
        try
        {
            int p = 0, q = 0;
            for (var i = 0; i < total; i++)
            {
                if (actual[i])
                {
                    positives[p++] = scores[i];
                }
                else
                {
                    negatives[q++] = scores[i];
                }
            }

            // Positives first in the combined sample, so rankCombined[i < m] belongs to positive i.
            positives.AsSpan(0, m).CopyTo(combined);
            negatives.AsSpan(0, n).CopyTo(combined.AsSpan(m));
            Midranks.Compute(positives.AsSpan(0, m), rankPositives.AsSpan(0, m));
            Midranks.Compute(negatives.AsSpan(0, n), rankNegatives.AsSpan(0, n));
            Midranks.Compute(combined.AsSpan(0, total), rankCombined.AsSpan(0, total));

            // V10 (structural components of the positives) and V01 (of the negatives); their means are the AUC.
            double sumPositiveRanks = 0;
            for (var i = 0; i < m; i++)
            {
                sumPositiveRanks += rankCombined[i];
                positives[i] = (rankCombined[i] - rankPositives[i]) / n;
            }

            for (var j = 0; j < n; j++)
            {
                negatives[j] = 1 - ((rankCombined[m + j] - rankNegatives[j]) / m);
            }

            var auc = (sumPositiveRanks - (m * (m + 1.0) / 2)) / ((double)m * n);
            if (m < 2 || n < 2)
            {
                return (auc, null);
            }

            var variance = (SampleVariance(positives.AsSpan(0, m), auc) / m) + (SampleVariance(negatives.AsSpan(0, n), auc) / n);
            return (auc, variance);
        }
        finally
        {
            pool.Return(positives);
            pool.Return(negatives);
            pool.Return(combined);
            pool.Return(rankPositives);
            pool.Return(rankNegatives);
            pool.Return(rankCombined);
        }
    }

    private static double SampleVariance(ReadOnlySpan<double> values, double mean)
    {
        double sum = 0;
        foreach (var value in values)
        {
            var d = value - mean;
            sum += d * d;
        }

        return sum / (values.Length - 1);
    }
}
