using System.Text.Json.Serialization;

namespace Kiln.Core.Monitoring.Alerts;

/// <summary>
/// A condition on one signal of a deployment (or of every deployment), judged on a schedule:
/// <c>value Comparison Threshold</c> over <see cref="Window"/>, firing once true for <see cref="For"/>.
/// </summary>
public sealed record AlertRule
{
    /// <summary>The <see cref="Deployment"/> value that applies a rule to every deployment.</summary>
    public const string AllDeployments = "*";

    /// <summary>The rule's id: generated for API rules, from configuration for config rules.</summary>
    public required string Id { get; init; }

    /// <summary>The rule's name; sent as the <c>alertname</c> label.</summary>
    public required string Name { get; init; }

    /// <summary>The deployment the rule watches, or <c>*</c> for all.</summary>
    public string Deployment { get; init; } = AllDeployments;

    /// <summary>What the rule watches.</summary>
    public required AlertKind Kind { get; init; }

    /// <summary>The value the signal is compared with (in the kind's unit: a share 0–1, milliseconds, a metric value).</summary>
    public required double Threshold { get; init; }

    /// <summary>How the signal is compared with <see cref="Threshold"/>.</summary>
    public AlertComparison Comparison { get; init; } = AlertComparison.GreaterThan;

    /// <summary>How far back the signal looks (e.g. the error rate over the last 5 minutes).</summary>
    [JsonConverter(typeof(AlertDurationJsonConverter))]
    public TimeSpan Window { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>How long the condition must hold before the alert fires; zero fires at once.</summary>
    [JsonConverter(typeof(AlertDurationJsonConverter))]
    public TimeSpan For { get; init; }

    /// <summary>The quality metric, for <see cref="AlertKind.Quality"/> and <see cref="AlertKind.QualityDrop"/> (accuracy, auc, f1, rmse…).</summary>
    public string? Metric { get; init; }

    /// <summary>The feature, for <see cref="AlertKind.FeatureDrift"/>.</summary>
    public string? Feature { get; init; }

    /// <summary>How urgent the alert is.</summary>
    public AlertSeverity Severity { get; init; } = AlertSeverity.Warning;

    /// <summary>Whether the rule is evaluated. A disabled rule's firing alerts resolve.</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>Where the rule was defined; config rules are read-only through the API.</summary>
    public AlertRuleSource Source { get; init; } = AlertRuleSource.Api;

    /// <summary>Webhook URLs notified for this rule, besides the server's configured ones.</summary>
    public IReadOnlyList<string> Webhooks { get; init; } = [];

    /// <summary>Free text for people, sent with the notification.</summary>
    public string? Description { get; init; }

    /// <summary>When the rule was created (API rules).</summary>
    public DateTimeOffset? CreatedAt { get; init; }

    /// <summary>When the rule last changed (API rules).</summary>
    public DateTimeOffset? UpdatedAt { get; init; }

    /// <summary>Whether the rule watches <paramref name="deployment"/>.</summary>
    public bool AppliesTo(string deployment) =>
        Deployment == AllDeployments || string.Equals(Deployment, deployment, StringComparison.Ordinal);

    /// <summary>Whether <paramref name="value"/> meets the condition.</summary>
    public bool IsMet(double value) => Comparison switch
    {
        AlertComparison.GreaterThan => value > Threshold,
        AlertComparison.GreaterOrEqual => value >= Threshold,
        AlertComparison.LessThan => value < Threshold,
        AlertComparison.LessOrEqual => value <= Threshold,
        _ => false,
    };
}
