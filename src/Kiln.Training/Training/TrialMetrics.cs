using Kiln.Training.Data;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Kiln.Training.Training;

/// <summary>
/// Names of the metrics a trial records on the validation split, and which one ranks trials.
/// Classification metrics are computed from the calibrated probabilities, as scikit-learn computes
/// them: AUC exactly (ties count half), log-loss in nats, and the thresholded metrics at P = 0.5,
/// the same rule by which the served <c>label</c> is chosen.
/// </summary>
public static class TrialMetrics
{
    public const string Auc = "auc";
    public const string Accuracy = "accuracy";
    public const string Precision = "precision";
    public const string Recall = "recall";
    public const string F1 = "f1";

    /// <summary>Mean negative natural log-likelihood of the true class (nats, as scikit-learn and MLflow report it).</summary>
    public const string LogLoss = "log_loss";
    public const string MacroAccuracy = "macro_accuracy";
    public const string Rmse = "rmse";
    public const string Mae = "mae";
    public const string R2 = "r2";
    public const string TrainingTimeSeconds = "training_time_seconds";

    private const double Epsilon = 1e-15;

    /// <summary>The metric that ranks trials: auc (binary), accuracy (multiclass), rmse (regression).</summary>
    public static string Primary(TrainingTask task) => task switch
    {
        TrainingTask.Binary => Auc,
        TrainingTask.Multiclass => Accuracy,
        _ => Rmse,
    };

    /// <summary>Whether a larger value of the primary metric is better (false for rmse).</summary>
    public static bool HigherIsBetter(TrainingTask task) => task != TrainingTask.Regression;

    /// <summary>Metrics of scored validation rows; values that are not finite (a one-class split's AUC) are left out.</summary>
    internal static Dictionary<string, double> Evaluate(MLContext ml, IDataView scored, TrainingTask task)
    {
        var metrics = new Dictionary<string, double>(StringComparer.Ordinal);
        switch (task)
        {
            case TrainingTask.Binary:
                var (positive, probability) = ReadBinary(scored);
                Add(metrics, Auc, AreaUnderRoc(positive, probability));
                AddThresholded(metrics, positive, probability);
                Add(metrics, LogLoss, BinaryLogLoss(positive, probability));
                break;
            case TrainingTask.Multiclass:
                var multiclass = ml.MulticlassClassification.Evaluate(scored, TrainingViews.LabelColumn);
                Add(metrics, Accuracy, multiclass.MicroAccuracy);
                Add(metrics, MacroAccuracy, multiclass.MacroAccuracy);
                Add(metrics, LogLoss, multiclass.LogLoss);
                break;
            default:
                var regression = ml.Regression.Evaluate(scored, TrainingViews.LabelColumn);
                Add(metrics, Rmse, regression.RootMeanSquaredError);
                Add(metrics, Mae, regression.MeanAbsoluteError);
                Add(metrics, R2, regression.RSquared);
                break;
        }

        return metrics;
    }

    /// <summary>Exact ROC AUC: the Mann–Whitney statistic over P(positive), tied scores counting half.</summary>
    internal static double AreaUnderRoc(bool[] positive, float[] probability)
    {
        var order = Enumerable.Range(0, probability.Length).ToArray();
        Array.Sort(probability.ToArray(), order);
        double positiveRankSum = 0;
        long positives = 0;
        for (var i = 0; i < order.Length;)
        {
            var j = i;
            while (j + 1 < order.Length && probability[order[j + 1]] == probability[order[i]])
            {
                j++;
            }

            var rank = ((i + j) / 2.0) + 1;
            for (var k = i; k <= j; k++)
            {
                if (positive[order[k]])
                {
                    positiveRankSum += rank;
                    positives++;
                }
            }

            i = j + 1;
        }

        var negatives = (long)positive.Length - positives;
        return positives == 0 || negatives == 0
            ? double.NaN
            : (positiveRankSum - (positives * (positives + 1) / 2.0)) / ((double)positives * negatives);
    }

    private static (bool[] Positive, float[] Probability) ReadBinary(IDataView scored)
    {
        var label = scored.Schema[TrainingViews.LabelColumn];
        var probability = scored.Schema["Probability"];
        var positives = new List<bool>();
        var probabilities = new List<float>();
        using var cursor = scored.GetRowCursor([label, probability]);
        var getLabel = cursor.GetGetter<bool>(label);
        var getProbability = cursor.GetGetter<float>(probability);
        var isPositive = false;
        var p = 0f;
        while (cursor.MoveNext())
        {
            getLabel(ref isPositive);
            getProbability(ref p);
            positives.Add(isPositive);
            probabilities.Add(p);
        }

        return (positives.ToArray(), probabilities.ToArray());
    }

    /// <summary>Accuracy, precision, recall and F1 of the positive class at P &gt; 0.5; an empty ratio is 0, as scikit-learn reports it.</summary>
    private static void AddThresholded(Dictionary<string, double> metrics, bool[] positive, float[] probability)
    {
        long truePositives = 0, falsePositives = 0, falseNegatives = 0, correct = 0;
        for (var i = 0; i < positive.Length; i++)
        {
            var predicted = probability[i] > 0.5f;
            correct += predicted == positive[i] ? 1 : 0;
            truePositives += predicted && positive[i] ? 1 : 0;
            falsePositives += predicted && !positive[i] ? 1 : 0;
            falseNegatives += !predicted && positive[i] ? 1 : 0;
        }

        var precision = truePositives + falsePositives == 0 ? 0 : truePositives / (double)(truePositives + falsePositives);
        var recall = truePositives + falseNegatives == 0 ? 0 : truePositives / (double)(truePositives + falseNegatives);
        Add(metrics, Accuracy, positive.Length == 0 ? double.NaN : correct / (double)positive.Length);
        Add(metrics, Precision, precision);
        Add(metrics, Recall, recall);
        Add(metrics, F1, precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall));
    }

    /// <summary>Mean −ln P(true class), clipped at 1e-15 as scikit-learn does (ML.NET's own binary log-loss is in bits).</summary>
    private static double BinaryLogLoss(bool[] positive, float[] probability)
    {
        double sum = 0;
        for (var i = 0; i < positive.Length; i++)
        {
            var p = (double)probability[i];
            sum -= Math.Log(Math.Clamp(positive[i] ? p : 1 - p, Epsilon, 1 - Epsilon));
        }

        return positive.Length == 0 ? double.NaN : sum / positive.Length;
    }

    private static void Add(Dictionary<string, double> metrics, string name, double value)
    {
        if (double.IsFinite(value))
        {
            metrics[name] = value;
        }
    }
}
