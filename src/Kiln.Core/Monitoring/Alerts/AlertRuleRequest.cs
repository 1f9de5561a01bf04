namespace Kiln.Core.Monitoring.Alerts;

/// <summary>
/// Body of <c>POST /api/alerts/rules</c> and <c>PUT /api/alerts/rules/{id}</c>, and the shape of a rule in
/// configuration. Enums and durations are strings so that a bad value is reported by field name.
/// </summary>
/// <param name="Name">The rule's name (the <c>alertname</c> label).</param>
/// <param name="Kind">error_rate, latency_p99, dataset_drift, feature_drift, quality, quality_drop or label_coverage.</param>
/// <param name="Threshold">The value compared with the signal, in the kind's unit.</param>
/// <param name="Deployment">A deployment name, or <c>*</c> (the default) for all.</param>
/// <param name="Comparison">gt, ge, lt or le; the default suits the kind (lt for quality of a higher-is-better metric and for label_coverage, gt otherwise).</param>
/// <param name="Window">How far back the signal looks, e.g. <c>5m</c> (default 5m for traffic kinds, 1h otherwise).</param>
/// <param name="For">How long the condition must hold before firing, e.g. <c>1m</c> (default 0: at once).</param>
/// <param name="Metric">The quality metric, for quality and quality_drop.</param>
/// <param name="Feature">The feature, for feature_drift.</param>
/// <param name="Severity">info, warning (the default) or critical.</param>
/// <param name="Enabled">Whether the rule is evaluated (default true).</param>
/// <param name="Webhooks">Extra webhook URLs for this rule.</param>
/// <param name="Description">Free text for people.</param>
public sealed record AlertRuleRequest(
    string? Name = null,
    string? Kind = null,
    double? Threshold = null,
    string? Deployment = null,
    string? Comparison = null,
    string? Window = null,
    string? For = null,
    string? Metric = null,
    string? Feature = null,
    string? Severity = null,
    bool? Enabled = null,
    IReadOnlyList<string>? Webhooks = null,
    string? Description = null);
