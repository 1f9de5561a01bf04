namespace Kiln.Monitoring.Statistics;

/// <summary>Quality of a binary classifier over a set of labelled predictions.</summary>
/// <param name="Count">How many predictions were scored.</param>
/// <param name="Accuracy">Share of predictions equal to the label.</param>
/// <param name="Precision">Share of predicted positives that are positive; 0 when nothing was predicted positive.</param>
/// <param name="Recall">Share of positives predicted positive; 0 when there are no positives.</param>
/// <param name="F1">Harmonic mean of precision and recall; 0 when both are 0.</param>
/// <param name="RocAuc">Area under the ROC curve from the scores (ties count half); null when only one class is present or no scores were given.</param>
/// <param name="LogLoss">Mean negative log-likelihood of the labels under the scores, clipped to [1e-15, 1 − 1e-15]; null when no scores were given.</param>
/// <param name="PositiveRate">Share of predictions that are positive.</param>
public sealed record ClassificationQuality(
    long Count,
    double Accuracy,
    double Precision,
    double Recall,
    double F1,
    double? RocAuc,
    double? LogLoss,
    double PositiveRate);
