namespace Kiln.Core.Monitoring;

/// <summary>A logged prediction joined with its ground truth, in the compact form quality windows are computed from.</summary>
/// <param name="TimestampMs">When it was scored (Unix milliseconds).</param>
/// <param name="LabelledAtMs">When its label arrived (Unix milliseconds).</param>
/// <param name="ModelVersion">The version that scored it.</param>
/// <param name="Score">Positive-class probability (binary), top probability (multiclass) or regression value; NaN when absent.</param>
/// <param name="LabelValue">The label as a number when it is one (regression target); NaN otherwise.</param>
/// <param name="PredictedPositive">Binary: whether the predicted class is the positive class.</param>
/// <param name="ActualPositive">Binary: whether the label is the positive class.</param>
/// <param name="Prediction">The predicted class label (multiclass only; null otherwise).</param>
/// <param name="Label">The label text (multiclass only; null otherwise).</param>
public readonly record struct LabelledPrediction(
    long TimestampMs,
    long LabelledAtMs,
    int ModelVersion,
    double Score,
    double LabelValue,
    bool PredictedPositive,
    bool ActualPositive,
    string? Prediction,
    string? Label);

/// <summary>How many predictions a version made in one time bucket.</summary>
/// <param name="BucketStartMs">The bucket's start (Unix milliseconds).</param>
/// <param name="ModelVersion">The version.</param>
/// <param name="Predictions">Logged predictions in the bucket.</param>
/// <param name="Labelled">Of those, how many have ground truth.</param>
public readonly record struct PredictionCount(long BucketStartMs, int ModelVersion, long Predictions, long Labelled);

/// <summary>What kind of outputs a deployment's logged predictions carry, so quality knows which metrics apply.</summary>
public enum PredictionTask
{
    /// <summary>No predictions logged yet.</summary>
    Unknown,
    /// <summary>Two classes with a positive-class probability.</summary>
    Binary,
    /// <summary>More than two classes (or labels without probabilities).</summary>
    Multiclass,
    /// <summary>A numeric target.</summary>
    Regression,
}

/// <summary>Which task one logged prediction is, from the columns it carries.</summary>
public static class PredictionTasks
{
    /// <summary>A positive label makes it binary; otherwise a predicted class makes it multiclass; otherwise a score makes it regression.</summary>
    public static PredictionTask Of(bool hasPositiveLabel, bool hasPrediction, bool hasScore) => (hasPositiveLabel, hasPrediction, hasScore) switch
    {
        (true, _, _) => PredictionTask.Binary,
        (false, true, _) => PredictionTask.Multiclass,
        (false, false, true) => PredictionTask.Regression,
        _ => PredictionTask.Unknown,
    };
}

/// <summary>Reads labelled predictions for quality reports.</summary>
public interface IQualityDataSource
{
    /// <summary>Which task a deployment's logged predictions in the range look like.</summary>
    Task<PredictionTask> DetectTaskAsync(string deployment, DateTimeOffset since, DateTimeOffset until, CancellationToken cancellationToken);

    /// <summary>The labelled predictions of a deployment scored in [since, until), optionally of one version and only the last <paramref name="last"/>, in time order.</summary>
    Task<IReadOnlyList<LabelledPrediction>> ReadLabelledAsync(string deployment, DateTimeOffset since, DateTimeOffset until, int? modelVersion, PredictionTask task, int? last, CancellationToken cancellationToken);

    /// <summary>Predictions and labels counted per bucket of <paramref name="bucket"/> and version.</summary>
    Task<IReadOnlyList<PredictionCount>> CountAsync(string deployment, DateTimeOffset since, DateTimeOffset until, TimeSpan bucket, int? modelVersion, CancellationToken cancellationToken);

    /// <summary>
    /// The stored per-minute quality summaries of the buckets starting in [since, until) (both on whole minutes),
    /// optionally of one version, in bucket order; buckets marked stale (by retention or an upgrade) are first
    /// rebuilt from their rows.
    /// </summary>
    Task<IReadOnlyList<BucketQuality>> ReadSummariesAsync(string deployment, DateTimeOffset since, DateTimeOffset until, int? modelVersion, CancellationToken cancellationToken);
}
