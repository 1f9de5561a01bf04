namespace Kiln.Core.Api;

/// <summary>Model quality of a deployment over time, from predictions joined with their ground truth.</summary>
/// <param name="Deployment">The deployment.</param>
/// <param name="Task">binary, multiclass, regression, or unknown (nothing logged yet).</param>
/// <param name="Since">The range's start.</param>
/// <param name="Until">The range's end.</param>
/// <param name="Window">The window length (e.g. <c>1h</c>), or null for "last N labelled".</param>
/// <param name="Last">N when the report covers the last N labelled predictions.</param>
/// <param name="Overall">Every version together over the whole range.</param>
/// <param name="Versions">Per model version: the whole range and each window.</param>
public sealed record QualityReport(
    string Deployment,
    string Task,
    DateTimeOffset Since,
    DateTimeOffset Until,
    string? Window,
    int? Last,
    QualityWindow Overall,
    IReadOnlyList<VersionQuality> Versions);

/// <summary>One model version's quality.</summary>
/// <param name="ModelVersion">The version.</param>
/// <param name="Overall">The whole range.</param>
/// <param name="Windows">Each window, oldest first.</param>
public sealed record VersionQuality(int ModelVersion, QualityWindow Overall, IReadOnlyList<QualityWindow> Windows);

/// <summary>Quality over one stretch of time.</summary>
/// <param name="Start">Inclusive start.</param>
/// <param name="End">Exclusive end.</param>
/// <param name="Predictions">Predictions logged.</param>
/// <param name="Labelled">Of those, how many have ground truth.</param>
/// <param name="LabelCoverage">Labelled ÷ predictions (0 when there were none).</param>
/// <param name="MeanLabelDelaySeconds">Mean time from prediction to its label.</param>
/// <param name="Metrics">
/// Binary: accuracy, precision, recall, f1, roc_auc, log_loss, positive_rate. Multiclass: accuracy, macro_precision,
/// macro_recall, macro_f1. Regression: mae, rmse, r2. Empty when nothing is labelled; a metric that is undefined
/// (e.g. AUC with one class present) is absent.
/// </param>
public sealed record QualityWindow(
    DateTimeOffset Start,
    DateTimeOffset End,
    long Predictions,
    long Labelled,
    double LabelCoverage,
    double? MeanLabelDelaySeconds,
    IReadOnlyDictionary<string, double> Metrics);

/// <summary>Data and prediction drift of a deployment's traffic against the model version's training profile.</summary>
/// <param name="Deployment">The deployment.</param>
/// <param name="Model">The model.</param>
/// <param name="ModelVersion">The version whose traffic was profiled.</param>
/// <param name="Since">The window's start, moved back to the start of the profile bucket it falls in (windows take whole buckets).</param>
/// <param name="Until">The window's end.</param>
/// <param name="ReferenceRows">Rows in the training profile (0 when the version has none).</param>
/// <param name="CurrentRows">Rows of traffic in the window.</param>
/// <param name="DatasetDrift">Whether the share of drifted features reached <paramref name="DriftShareThreshold"/>.</param>
/// <param name="DriftedShare">Drifted features ÷ features tested.</param>
/// <param name="DriftShareThreshold">The share that makes the dataset drifted.</param>
/// <param name="Features">One result per feature tested.</param>
/// <param name="Prediction">Drift of the prediction score against the version's first window of traffic, when there is one.</param>
/// <param name="Notes">Why something could not be tested.</param>
public sealed record DriftReport(
    string Deployment,
    string Model,
    int ModelVersion,
    DateTimeOffset Since,
    DateTimeOffset Until,
    long ReferenceRows,
    long CurrentRows,
    bool DatasetDrift,
    double DriftedShare,
    double DriftShareThreshold,
    IReadOnlyList<FeatureDriftResult> Features,
    FeatureDriftResult? Prediction,
    IReadOnlyList<string> Notes);

/// <summary>The drift test of one feature.</summary>
/// <param name="Name">The feature.</param>
/// <param name="Kind">numeric or categorical.</param>
/// <param name="Method">ks, chisquare, wasserstein, jensenshannon or psi.</param>
/// <param name="Statistic">The test statistic or distance.</param>
/// <param name="PValue">The p-value, for KS and chi-square.</param>
/// <param name="Threshold">The p-value below which (tests) or the distance at or above which (distances) the feature drifted.</param>
/// <param name="Drifted">Whether it drifted.</param>
/// <param name="ReferenceCount">Reference values.</param>
/// <param name="CurrentCount">Current values.</param>
public sealed record FeatureDriftResult(string Name, string Kind, string Method, double Statistic, double? PValue, double Threshold, bool Drifted, long ReferenceCount, long CurrentCount);
