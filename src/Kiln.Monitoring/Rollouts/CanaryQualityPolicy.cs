namespace Kiln.Monitoring.Rollouts;

/// <summary>The optional quality check: the canary's model metric on labelled predictions may not trail the primary's by more than a margin.</summary>
/// <param name="Metric">The metric's name, for reasons and dashboards (for example "accuracy" or "roc_auc").</param>
/// <param name="Margin">How much worse (absolute, in the metric's units) the canary may be.</param>
/// <param name="MinLabels">Labelled predictions each variant needs in the step before the check is evaluated; until then it is pending.</param>
/// <param name="HigherIsBetter">False for losses and errors (log loss, RMSE).</param>
/// <param name="RequiredToPromote">
/// When true a pending check holds the step; when false (labels often arrive late) a step can be promoted while it
/// is pending, and the check still rolls back as soon as enough labels show the canary worse.
/// </param>
public sealed record CanaryQualityPolicy(
    string Metric = "accuracy",
    double Margin = 0.02,
    long MinLabels = 200,
    bool HigherIsBetter = true,
    bool RequiredToPromote = false);
