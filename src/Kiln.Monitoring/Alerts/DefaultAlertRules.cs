using Kiln.Core.Monitoring.Alerts;

namespace Kiln.Monitoring.Alerts;

/// <summary>The rules every Kiln server has unless its configuration turns them off.</summary>
public static class DefaultAlertRules
{
    /// <summary>The default rule's id.</summary>
    public const string ErrorRateId = "default-error-rate";

    /// <summary>More than 1% of a deployment's requests answered with a server error over 5 minutes.</summary>
    public static AlertRule ErrorRate { get; } = new()
    {
        Id = ErrorRateId,
        Name = "HighErrorRate",
        Deployment = AlertRule.AllDeployments,
        Kind = AlertKind.ErrorRate,
        Threshold = 0.01,
        Comparison = AlertComparison.GreaterThan,
        Window = TimeSpan.FromMinutes(5),
        Severity = AlertSeverity.Critical,
        Source = AlertRuleSource.Config,
        Description = "More than 1% of requests failed with a server error (5xx) over the last 5 minutes.",
    };
}
