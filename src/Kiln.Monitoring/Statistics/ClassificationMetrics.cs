namespace Kiln.Monitoring.Statistics;

/// <summary>Quality metrics of classifiers, computed exactly (scikit-learn's definitions) in O(n log n).</summary>
public static partial class ClassificationMetrics
{
    private const double ProbabilityClip = Core.Monitoring.QualitySummary.ProbabilityClip;

    /// <summary>Binary classification quality; the positive class is <c>true</c>.</summary>
    /// <param name="actual">The true labels.</param>
    /// <param name="predicted">The predicted labels.</param>
    /// <param name="positiveScores">The predicted probability of the positive class per row, or empty to skip ROC AUC and log loss.</param>
    /// <returns>The metrics.</returns>
    /// <exception cref="ArgumentException">The spans differ in length, are empty, or a score is NaN.</exception>
    public static ClassificationQuality Binary(ReadOnlySpan<bool> actual, ReadOnlySpan<bool> predicted, ReadOnlySpan<double> positiveScores)
    {
        var n = actual.Length;
        if (n == 0 || predicted.Length != n || (!positiveScores.IsEmpty && positiveScores.Length != n))
        {
            throw new ArgumentException("Labels, predictions and scores must be non-empty and of equal length.", nameof(actual));
        }

        long tp = 0, fp = 0, fn = 0, tn = 0;
        for (var i = 0; i < n; i++)
        {
            if (predicted[i])
            {
                if (actual[i])
                {
                    tp++;
                }
                else
                {
                    fp++;
                }
            }
            else if (actual[i])
            {
                fn++;
            }
            else
            {
                tn++;
            }
        }

        double? auc = null;
        double? logLoss = null;
        if (!positiveScores.IsEmpty)
        {
            auc = RocAuc.Compute(positiveScores, new BoolLabels(actual));
            logLoss = BinaryLogLoss(actual, positiveScores);
        }

        return Binary(tp, fp, fn, tn, auc, logLoss);
    }

    /// <summary>Binary classification quality from the confusion counts, with ROC AUC and log loss computed elsewhere.</summary>
    /// <exception cref="ArgumentException">The counts add up to zero.</exception>
    public static ClassificationQuality Binary(long tp, long fp, long fn, long tn, double? rocAuc, double? logLoss)
    {
        var n = tp + fp + fn + tn;
        if (n <= 0)
        {
            throw new ArgumentException("There must be at least one prediction.", nameof(tp));
        }

        var precision = Ratio(tp, tp + fp);
        var recall = Ratio(tp, tp + fn);
        var f1 = Ratio(2 * tp, (2 * tp) + fp + fn);
        return new ClassificationQuality(n, (double)(tp + tn) / n, precision, recall, f1, rocAuc, logLoss, (double)(tp + fp) / n);
    }

    private static double BinaryLogLoss(ReadOnlySpan<bool> actual, ReadOnlySpan<double> scores)
    {
        double sum = 0;
        for (var i = 0; i < actual.Length; i++)
        {
            sum += Core.Monitoring.QualitySummary.LogLossTerm(actual[i], scores[i]);
        }

        return sum / actual.Length;
    }

    private static double Ratio(long numerator, long denominator) => denominator == 0 ? 0 : (double)numerator / denominator;

    private readonly ref struct BoolLabels(ReadOnlySpan<bool> labels) : IPositiveLabels
    {
        private readonly ReadOnlySpan<bool> _labels = labels;

        public bool IsPositive(int row) => _labels[row];
    }
}
