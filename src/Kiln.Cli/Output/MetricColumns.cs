namespace Kiln.Cli.Output;

/// <summary>Which metrics to show in a narrow table: the ones people rank by first.</summary>
internal static class MetricColumns
{
    private static readonly string[] Preferred = ["auc", "accuracy", "f1", "log_loss", "rmse", "mae", "r2", "macro_accuracy", "precision", "recall"];

    public static string[] Pick(IEnumerable<string> available, int count)
    {
        var keys = available.Where(k => k != "training_time_seconds").Distinct().ToArray();
        return keys.OrderBy(k => Array.IndexOf(Preferred, k) is var i && i < 0 ? int.MaxValue : i).ThenBy(k => k, StringComparer.Ordinal).Take(count).ToArray();
    }
}
