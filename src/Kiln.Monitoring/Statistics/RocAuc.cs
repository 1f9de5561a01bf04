using System.Buffers;

namespace Kiln.Monitoring.Statistics;

/// <summary>
/// Exact ROC AUC as the Mann–Whitney statistic: the share of (positive, negative) pairs where the positive
/// scores higher, ties counting half — the same number scikit-learn's roc_auc_score gives. Sorts the
/// positives' and negatives' scores separately (plain double sorts) and merges them once.
/// </summary>
internal static class RocAuc
{
    /// <summary>The AUC, or null when one of the classes is absent.</summary>
    /// <param name="scores">The scores.</param>
    /// <param name="isPositive">Whether row i is positive.</param>
    internal static double? Compute<TLabels>(ReadOnlySpan<double> scores, TLabels isPositive)
        where TLabels : IPositiveLabels, allows ref struct
    {
        var n = scores.Length;
        var positives = ArrayPool<double>.Shared.Rent(n);
        var negatives = ArrayPool<double>.Shared.Rent(n);
        try
        {
            int p = 0, q = 0;
            for (var i = 0; i < n; i++)
            {
                var score = scores[i];
                if (double.IsNaN(score))
                {
                    throw new ArgumentException("Scores must not be NaN.", nameof(scores));
                }

                if (isPositive.IsPositive(i))
                {
                    positives[p++] = score;
                }
                else
                {
                    negatives[q++] = score;
                }
            }

            if (p == 0 || q == 0)
            {
                return null;
            }

            return OfScores(positives.AsSpan(0, p), negatives.AsSpan(0, q));
        }
        finally
        {
            ArrayPool<double>.Shared.Return(positives);
            ArrayPool<double>.Shared.Return(negatives);
        }
    }

    /// <summary>The AUC of the positives' and negatives' scores, which it sorts in place; null when either is empty.</summary>
    private static double? OfScores(Span<double> pos, Span<double> neg)
    {
        pos.Sort();
        neg.Sort();
        return OfSortedScores(pos, neg);
    }

    /// <summary>The AUC of the positives' and negatives' scores, each already in ascending order; null when either is empty.</summary>
    internal static double? OfSortedScores(ReadOnlySpan<double> pos, ReadOnlySpan<double> neg)
    {
        int p = pos.Length, q = neg.Length;
        if (p == 0 || q == 0)
        {
            return null;
        }

        // Twice the Mann–Whitney U, kept integral so the result does not depend on summation order.
        long twiceU = 0;
        int below = 0, i2 = 0;
        while (i2 < p)
        {
            var value = pos[i2];
            var group = 0;
            while (i2 < p && pos[i2] == value)
            {
                group++;
                i2++;
            }

            while (below < q && neg[below] < value)
            {
                below++;
            }

            var equal = below;
            while (equal < q && neg[equal] == value)
            {
                equal++;
            }

            twiceU += group * ((2L * below) + (equal - below));
        }

        return twiceU / (2.0 * p * q);
    }
}

/// <summary>Which rows are positive, without materialising a mask.</summary>
internal interface IPositiveLabels
{
    bool IsPositive(int row);
}
