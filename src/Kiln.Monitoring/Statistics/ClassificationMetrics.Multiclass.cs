using System.Buffers;

namespace Kiln.Monitoring.Statistics;

public static partial class ClassificationMetrics
{
    /// <summary>Multiclass classification quality.</summary>
    /// <param name="actual">The true class per row, in [0, <paramref name="classes"/>).</param>
    /// <param name="predicted">The predicted class per row.</param>
    /// <param name="probabilities">Row-major probabilities, <paramref name="classes"/> per row, or empty to skip log loss and AUC.</param>
    /// <param name="classes">The number of classes.</param>
    /// <returns>The metrics.</returns>
    /// <exception cref="ArgumentException">Lengths disagree, the input is empty, or a class is out of range.</exception>
    public static MulticlassQuality Multiclass(ReadOnlySpan<int> actual, ReadOnlySpan<int> predicted, ReadOnlySpan<double> probabilities, int classes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 2);
        var n = actual.Length;
        if (n == 0 || predicted.Length != n || (!probabilities.IsEmpty && probabilities.Length != (long)n * classes))
        {
            throw new ArgumentException("Labels, predictions and probabilities must be non-empty and agree in length.", nameof(actual));
        }

        var counts = new long[3 * classes];
        var truePositives = counts.AsSpan(0, classes);
        var actualCounts = counts.AsSpan(classes, classes);
        var predictedCounts = counts.AsSpan(2 * classes, classes);
        for (var i = 0; i < n; i++)
        {
            var label = actual[i];
            var guess = predicted[i];
            if ((uint)label >= (uint)classes || (uint)guess >= (uint)classes)
            {
                throw new ArgumentException($"Row {i} has a class outside [0, {classes}).", nameof(actual));
            }

            actualCounts[label]++;
            predictedCounts[guess]++;
            if (label == guess)
            {
                truePositives[label]++;
            }
        }

        var (accuracy, macroPrecision, macroRecall, macroF1) = MacroAverages(truePositives, actualCounts, predictedCounts, n);
        double? logLoss = null;
        double? auc = null;
        if (!probabilities.IsEmpty)
        {
            logLoss = MulticlassLogLoss(actual, probabilities, classes);
            auc = actualCounts.Contains(0L) ? null : MacroAuc(actual, probabilities, classes);
        }

        return new MulticlassQuality(n, classes, accuracy, macroPrecision, macroRecall, macroF1, logLoss, auc);
    }

    /// <summary>Accuracy and the macro averages from per-class counts, over the classes that occur as label or prediction.</summary>
    /// <param name="correct">Per class, the rows of that label predicted as it.</param>
    /// <param name="actual">Per class, the rows labelled with it.</param>
    /// <param name="predicted">Per class, the rows predicted as it.</param>
    /// <param name="rows">All rows.</param>
    public static (double Accuracy, double MacroPrecision, double MacroRecall, double MacroF1) MacroAverages(
        ReadOnlySpan<long> correct, ReadOnlySpan<long> actual, ReadOnlySpan<long> predicted, long rows)
    {
        long right = 0;
        double precision = 0, recall = 0, f1 = 0;
        var present = 0;
        for (var k = 0; k < correct.Length; k++)
        {
            right += correct[k];
            if (actual[k] == 0 && predicted[k] == 0)
            {
                continue;
            }

            present++;
            precision += Ratio(correct[k], predicted[k]);
            recall += Ratio(correct[k], actual[k]);
            f1 += Ratio(2 * correct[k], actual[k] + predicted[k]);
        }

        return ((double)right / rows, precision / present, recall / present, f1 / present);
    }

    private static double MulticlassLogLoss(ReadOnlySpan<int> actual, ReadOnlySpan<double> probabilities, int classes)
    {
        double sum = 0;
        for (var i = 0; i < actual.Length; i++)
        {
            var row = probabilities.Slice(i * classes, classes);
            double total = 0;
            foreach (var p in row)
            {
                total += Math.Clamp(p, ProbabilityClip, 1 - ProbabilityClip);
            }

            sum -= Math.Log(Math.Clamp(row[actual[i]], ProbabilityClip, 1 - ProbabilityClip) / total);
        }

        return sum / actual.Length;
    }

    private static double? MacroAuc(ReadOnlySpan<int> actual, ReadOnlySpan<double> probabilities, int classes)
    {
        var n = actual.Length;
        var column = ArrayPool<double>.Shared.Rent(n);
        try
        {
            double sum = 0;
            for (var k = 0; k < classes; k++)
            {
                for (var i = 0; i < n; i++)
                {
                    column[i] = probabilities[(i * classes) + k];
                }

                var auc = RocAuc.Compute(column.AsSpan(0, n), new ClassLabels(actual, k));
                if (auc is null)
                {
                    return null;
                }

                sum += auc.Value;
            }

            return sum / classes;
        }
        finally
        {
            ArrayPool<double>.Shared.Return(column);
        }
    }

    private readonly ref struct ClassLabels(ReadOnlySpan<int> labels, int positive) : IPositiveLabels
    {
        private readonly ReadOnlySpan<int> _labels = labels;
        private readonly int _positive = positive;

        public bool IsPositive(int row) => _labels[row] == _positive;
    }
}
