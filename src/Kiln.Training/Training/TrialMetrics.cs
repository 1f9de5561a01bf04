using Kiln.Training.Data;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Kiln.Training.Training;

/// <summary>Names of the metrics a trial records on the validation split, and which one ranks trials.</summary>
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

    /// <summary>The metric that ranks trials: auc (binary), accuracy (multiclass), rmse (regression).</summary>
    public static string Primary(TrainingTask task) => task switch
    {
        TrainingTask.Binary => Auc,
        TrainingTask.Multiclass => Accuracy,
        _ => Rmse,
    };

    /// <summary>Whether a larger value of the primary metric is better (false for rmse).</summary>
    public static bool HigherIsBetter(TrainingTask task) => task != TrainingTask.Regression;

    /// <summary>ML.NET's evaluation of scored validation rows; values that are not finite (a one-class split's AUC) are left out.</summary>
    internal static Dictionary<string, double> Evaluate(MLContext ml, IDataView scored, TrainingTask task)
    {
        var metrics = new Dictionary<string, double>(StringComparer.Ordinal);
        switch (task)
        {
            case TrainingTask.Binary:
                var binary = ml.BinaryClassification.Evaluate(scored, TrainingViews.LabelColumn);
                Add(metrics, Auc, binary.AreaUnderRocCurve);
                Add(metrics, Accuracy, binary.Accuracy);
                Add(metrics, Precision, binary.PositivePrecision);
                Add(metrics, Recall, binary.PositiveRecall);
                Add(metrics, F1, binary.F1Score);
                Add(metrics, LogLoss, NaturalLogLoss(scored, task));
                break;
            case TrainingTask.Multiclass:
                var multiclass = ml.MulticlassClassification.Evaluate(scored, TrainingViews.LabelColumn);
                Add(metrics, Accuracy, multiclass.MicroAccuracy);
                Add(metrics, MacroAccuracy, multiclass.MacroAccuracy);
                Add(metrics, LogLoss, NaturalLogLoss(scored, task));
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

    /// <summary>
    /// Mean negative natural log of the true class's probability, clipped at 1e-15 as scikit-learn does.
    /// ML.NET's own binary log-loss is in bits, which would not compare with other tools.
    /// </summary>
    private static double NaturalLogLoss(IDataView scored, TrainingTask task)
    {
        const double Epsilon = 1e-15;
        var label = scored.Schema[TrainingViews.LabelColumn];
        var probability = scored.Schema[task == TrainingTask.Binary ? "Probability" : "Score"];
        using var cursor = scored.GetRowCursor([label, probability]);
        double sum = 0;
        long count = 0;
        if (task == TrainingTask.Binary)
        {
            var getLabel = cursor.GetGetter<bool>(label);
            var getProbability = cursor.GetGetter<float>(probability);
            var positive = false;
            var p = 0f;
            while (cursor.MoveNext())
            {
                getLabel(ref positive);
                getProbability(ref p);
                sum -= Math.Log(Math.Clamp(positive ? p : 1 - (double)p, Epsilon, 1 - Epsilon));
                count++;
            }
        }
        else
        {
            var getLabel = cursor.GetGetter<uint>(label);
            var getScores = cursor.GetGetter<VBuffer<float>>(probability);
            uint key = 0;
            var scores = default(VBuffer<float>);
            while (cursor.MoveNext())
            {
                getLabel(ref key);
                getScores(ref scores);
                var p = key == 0 ? 0 : scores.GetItemOrDefault((int)key - 1);
                sum -= Math.Log(Math.Clamp(p, Epsilon, 1 - Epsilon));
                count++;
            }
        }

        return count == 0 ? double.NaN : sum / count;
    }

    private static void Add(Dictionary<string, double> metrics, string name, double value)
    {
        if (double.IsFinite(value))
        {
            metrics[name] = value;
        }
    }
}
