namespace Kiln.Monitoring.Statistics;

/// <summary>Quality of a multiclass classifier over a set of labelled predictions.</summary>
/// <param name="Count">How many predictions were scored.</param>
/// <param name="Classes">The number of classes (labels are 0 … Classes − 1).</param>
/// <param name="Accuracy">Share of predictions equal to the label.</param>
/// <param name="MacroPrecision">Unweighted mean of per-class precision over the classes that occur as label or prediction.</param>
/// <param name="MacroRecall">Unweighted mean of per-class recall over the same classes.</param>
/// <param name="MacroF1">Unweighted mean of per-class F1 over the same classes.</param>
/// <param name="LogLoss">Mean negative log-likelihood of the labels (probabilities clipped to [1e-15, 1 − 1e-15] and renormalised per row); null when no probabilities were given.</param>
/// <param name="MacroRocAuc">One-vs-rest ROC AUC averaged over classes; null when some class never occurs as a label or no probabilities were given.</param>
public sealed record MulticlassQuality(
    long Count,
    int Classes,
    double Accuracy,
    double MacroPrecision,
    double MacroRecall,
    double MacroF1,
    double? LogLoss,
    double? MacroRocAuc);
