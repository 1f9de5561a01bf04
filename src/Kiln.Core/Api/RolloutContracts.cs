using Kiln.Core.Deployments;

namespace Kiln.Core.Api;

/// <summary>Body of <c>PUT /api/deployments/{name}/traffic</c>: percent by model version, summing to 100.</summary>
/// <param name="Weights">Model version number (as text) → weight.</param>
/// <param name="Reason">Why (kept in the revision history).</param>
public sealed record TrafficRequest(IReadOnlyDictionary<string, int>? Weights, string? Reason = null);

/// <summary>Body of <c>POST /api/deployments/{name}/canary</c>.</summary>
/// <param name="Model">The candidate: NAME/VERSION, NAME@ALIAS or NAME.</param>
/// <param name="Steps">Canary percentages per step, ending at 100 (default 5, 25, 50, 100).</param>
/// <param name="Interval">Each step's length, e.g. <c>5m</c>.</param>
/// <param name="MinRequests">The fewest canary requests in a step for a decision.</param>
/// <param name="MaxErrorRateIncrease">Tolerated error-rate excess over the primary (absolute).</param>
/// <param name="MaxLatencyRatio">Tolerated canary p99 ÷ primary p99.</param>
/// <param name="QualityMetric">Metric compared when labels exist (accuracy, roc_auc, f1, …; <c>none</c> to skip).</param>
/// <param name="QualityMargin">Tolerated drop in that metric (absolute).</param>
/// <param name="MinLabels">The fewest labels per variant before quality is judged.</param>
/// <param name="Manual">Step only by hand (no automated analysis).</param>
/// <param name="PromoteAlias">Alias to move to the canary's version when it is promoted (e.g. <c>champion</c>).</param>
public sealed record CanaryRequest(
    string? Model,
    IReadOnlyList<int>? Steps = null,
    string? Interval = null,
    int? MinRequests = null,
    double? MaxErrorRateIncrease = null,
    double? MaxLatencyRatio = null,
    string? QualityMetric = null,
    double? QualityMargin = null,
    int? MinLabels = null,
    bool Manual = false,
    string? PromoteAlias = null);

/// <summary>Body of <c>POST /api/deployments/{name}/bluegreen</c>.</summary>
/// <param name="Model">The new version.</param>
/// <param name="KeepOld">How long the old version stays loaded for an instant rollback (default <c>10m</c>).</param>
public sealed record BlueGreenRequest(string? Model, string? KeepOld = null);

/// <summary>Body of <c>PUT /api/deployments/{name}/shadow</c>.</summary>
/// <param name="Model">The shadow version.</param>
/// <param name="Sample">Share of requests copied to it (default 1).</param>
public sealed record ShadowRequest(string? Model, double? Sample = null);

/// <summary>Body of <c>POST /api/deployments/{name}/rollback</c>.</summary>
/// <param name="ToRevision">The revision to restore (default: the one before the current).</param>
public sealed record RollbackRequest(int? ToRevision = null);

/// <summary>Body of <c>POST /api/deployments/{name}/canary/promote</c> and <c>/abort</c>.</summary>
/// <param name="Reason">Why (kept in the revision history).</param>
public sealed record CanaryActionRequest(string? Reason = null);

/// <summary>A running canary and the analysis of its current step.</summary>
/// <param name="Deployment">The deployment.</param>
/// <param name="Canary">The rollout state (variant, policy, step, since when).</param>
/// <param name="CanaryVariant">The canary variant.</param>
/// <param name="PrimaryVariant">The primary variant.</param>
/// <param name="Decision">What the analysis would decide now: promote, hold or rollback.</param>
/// <param name="Reason">Why, with the numbers.</param>
/// <param name="Checks">Each check's outcome and detail.</param>
public sealed record CanaryStatus(
    string Deployment,
    CanaryRollout Canary,
    DeploymentVariant CanaryVariant,
    DeploymentVariant PrimaryVariant,
    string Decision,
    string Reason,
    IReadOnlyList<CanaryCheckView> Checks);

/// <summary>One check of a canary analysis.</summary>
/// <param name="Check">error_rate, latency or quality.</param>
/// <param name="Outcome">pass, fail or pending.</param>
/// <param name="Detail">The numbers.</param>
public sealed record CanaryCheckView(string Check, string Outcome, string Detail);

/// <summary>Champion vs challenger on labelled traffic: each variant's quality with 95 % intervals, the difference and its significance.</summary>
/// <param name="Deployment">The deployment.</param>
/// <param name="Since">Start of the labelled traffic compared.</param>
/// <param name="Until">Its end.</param>
/// <param name="Champion">The champion (the primary, unless named).</param>
/// <param name="Challenger">The challenger (the canary or other variant, unless named).</param>
/// <param name="AccuracyDifference">Challenger − champion accuracy: two-proportion z-test.</param>
/// <param name="AucDifference">Challenger − champion ROC AUC: DeLong's test for independent samples (binary models with scores).</param>
/// <param name="Significant">Whether the accuracy difference is significant at 5 %.</param>
/// <param name="RequiredLabelsPerVariant">Labels per variant needed to detect the observed accuracy difference (α 0.05, power 0.8); null when there is no difference.</param>
/// <param name="AdditionalLabelsPerVariant">How many more than the smaller variant has (0 when already significant).</param>
/// <param name="Verdict">In words: which is better, or that more labels are needed.</param>
public sealed record ComparisonReport(
    string Deployment,
    DateTimeOffset Since,
    DateTimeOffset Until,
    VariantQuality Champion,
    VariantQuality Challenger,
    DifferenceView AccuracyDifference,
    DifferenceView? AucDifference,
    bool Significant,
    long? RequiredLabelsPerVariant,
    long? AdditionalLabelsPerVariant,
    string Verdict);

/// <summary>One variant's quality on its labelled predictions.</summary>
/// <param name="Variant">The variant's name.</param>
/// <param name="Model">Its model.</param>
/// <param name="ModelVersion">Its version.</param>
/// <param name="Labelled">Labelled predictions.</param>
/// <param name="Accuracy">Accuracy.</param>
/// <param name="AccuracyLower">95 % Wilson interval, lower bound.</param>
/// <param name="AccuracyUpper">Upper bound.</param>
/// <param name="Auc">ROC AUC, when scores exist and both classes appear.</param>
/// <param name="AucLower">95 % DeLong interval, lower bound.</param>
/// <param name="AucUpper">Upper bound.</param>
public sealed record VariantQuality(
    string Variant, string Model, int ModelVersion, long Labelled, double? Accuracy, double? AccuracyLower, double? AccuracyUpper, double? Auc, double? AucLower, double? AucUpper);

/// <summary>A difference between challenger and champion.</summary>
/// <param name="Estimate">Challenger − champion.</param>
/// <param name="Lower">95 % interval, lower bound.</param>
/// <param name="Upper">Upper bound.</param>
/// <param name="PValue">Two-sided p-value.</param>
public sealed record DifferenceView(double Estimate, double Lower, double Upper, double PValue);

/// <summary>A shadow compared with the primary over a window.</summary>
/// <param name="Model">The shadow's model.</param>
/// <param name="ModelVersion">The shadow's version.</param>
/// <param name="Since">The window's start.</param>
/// <param name="Rows">Rows both answered.</param>
/// <param name="LabelAgreement">Share of rows where both predicted the same class (null for regression).</param>
/// <param name="MeanScoreDifference">Mean of shadow score − primary score.</param>
/// <param name="ScoreDifferenceP05">5th percentile of the score difference.</param>
/// <param name="ScoreDifferenceP50">Median score difference.</param>
/// <param name="ScoreDifferenceP95">95th percentile of the score difference.</param>
public sealed record ShadowWindow(
    string Model, int ModelVersion, DateTimeOffset Since, long Rows, double? LabelAgreement,
    double? MeanScoreDifference, double? ScoreDifferenceP05, double? ScoreDifferenceP50, double? ScoreDifferenceP95);
