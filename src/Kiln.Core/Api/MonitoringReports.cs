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
public sealed record FeatureDriftResult(string Name, string Kind, string Method, double Statistic, double? PValue, double Threshold, bool Drifted, long ReferenceCount, long CurrentCount)
{
    /// <summary>Reference and current distributions over the same bins, for a picture of what moved (absent for prediction drift).</summary>
    public FeatureHistogram? Histogram { get; init; }

    /// <summary>
    /// How far past its threshold the feature is, comparable across methods: threshold ÷ p-value for a test, statistic ÷
    /// threshold for a distance. Above 1 means drifted; features sort by it.
    /// </summary>
    public double Severity => PValue is { } p ? Threshold / Math.Max(p, 1e-300) : Threshold > 0 ? Statistic / Threshold : 0;
}

/// <summary>
/// A feature's distribution in the reference (training profile) and in the current window, as shares over the same bins:
/// the reference histogram's bins for a numeric feature (values outside the training range count in the first and last bin),
/// the most frequent categories of either side (the rest together as <c>other</c>) for a categorical one.
/// </summary>
/// <param name="Bins">Bin labels, in order.</param>
/// <param name="Reference">The reference's share per bin (sums to 1).</param>
/// <param name="Current">The current window's share per bin (sums to 1).</param>
public sealed record FeatureHistogram(IReadOnlyList<string> Bins, IReadOnlyList<double> Reference, IReadOnlyList<double> Current);

/// <summary>Dataset drift of a deployment's traffic window by window, against the version's training profile.</summary>
/// <param name="Deployment">The deployment.</param>
/// <param name="Model">The model.</param>
/// <param name="ModelVersion">The version whose traffic was tested.</param>
/// <param name="Window">The window length (e.g. <c>1h</c>).</param>
/// <param name="DriftShareThreshold">The share of drifted features that makes a window drifted.</param>
/// <param name="Windows">Each window with traffic, oldest first.</param>
public sealed record DriftHistory(string Deployment, string Model, int ModelVersion, string Window, double DriftShareThreshold, IReadOnlyList<DriftWindow> Windows);

/// <summary>Drift in one window.</summary>
/// <param name="Start">Inclusive start.</param>
/// <param name="End">Exclusive end.</param>
/// <param name="Rows">Rows of traffic.</param>
/// <param name="DatasetDrift">Whether the drifted share reached the threshold.</param>
/// <param name="DriftedShare">Drifted features ÷ features tested.</param>
/// <param name="DriftedFeatures">The features that drifted.</param>
public sealed record DriftWindow(DateTimeOffset Start, DateTimeOffset End, long Rows, bool DatasetDrift, double DriftedShare, IReadOnlyList<string> DriftedFeatures);
