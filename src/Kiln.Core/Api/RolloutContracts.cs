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
