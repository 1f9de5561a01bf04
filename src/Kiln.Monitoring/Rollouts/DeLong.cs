namespace Kiln.Monitoring.Rollouts;

/// <summary>
/// ROC AUC with its variance by DeLong's method, computed from midranks as in Sun &amp; Xu (2014), "Fast
/// implementation of DeLong's algorithm": O(n log n) instead of comparing every (positive, negative) pair.
/// The structural components are kept so that two models scored on the same rows can be compared paired.
/// </summary>
internal static class DeLong
{
    /// <summary>The AUC and its DeLong variance; null AUC without both classes, null variance with fewer than two of either.</summary>
    public static (double? Auc, double? Variance) Compute(ReadOnlySpan<bool> actual, ReadOnlySpan<double> scores)
    {
        if (Components(actual, scores) is not { } components)
        {
            return (null, null);
        }

        var (auc, v10, v01) = components;
        if (v10.Length < 2 || v01.Length < 2)
        {
            return (auc, null);
        }

        return (auc, (Covariance(v10, v10, auc, auc) / v10.Length) + (Covariance(v01, v01, auc, auc) / v01.Length));
    }

    /// <summary>
    /// The AUC and its structural components: for each positive, the share of negatives scored below it (V10); for each
    /// negative, the share of positives scored above it (V01), ties counting half. Both average to the AUC. Null without both classes.
    /// </summary>
    public static (double Auc, double[] V10, double[] V01)? Components(ReadOnlySpan<bool> actual, ReadOnlySpan<double> scores)
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
            return null;
        }

        double[] positives = new double[m], negatives = new double[n], combined = new double[total];
        double[] rankPositives = new double[m], rankNegatives = new double[n], rankCombined = new double[total];
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
        positives.CopyTo(combined, 0);
        negatives.CopyTo(combined, m);
        Midranks.Compute(positives, rankPositives);
        Midranks.Compute(negatives, rankNegatives);
        Midranks.Compute(combined, rankCombined);

        double sumPositiveRanks = 0;
        var v10 = new double[m];
        var v01 = new double[n];
        for (var i = 0; i < m; i++)
        {
            sumPositiveRanks += rankCombined[i];
            v10[i] = (rankCombined[i] - rankPositives[i]) / n;
        }

        for (var j = 0; j < n; j++)
        {
            v01[j] = 1 - ((rankCombined[m + j] - rankNegatives[j]) / m);
        }

        return ((sumPositiveRanks - (m * (m + 1.0) / 2)) / ((double)m * n), v10, v01);
    }

    /// <summary>The sample covariance of two equally long series with known means.</summary>
    public static double Covariance(ReadOnlySpan<double> a, ReadOnlySpan<double> b, double meanA, double meanB)
    {
        double sum = 0;
        for (var i = 0; i < a.Length; i++)
        {
            sum += (a[i] - meanA) * (b[i] - meanB);
        }

        return sum / (a.Length - 1);
    }
}
