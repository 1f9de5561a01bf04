namespace Kiln.Core.Monitoring.Alerts;

/// <summary>
/// Something monitoring decided about a deployment, published on the in-process event stream:
/// an alert firing or resolving today; canary decisions and retraining triggers later. Subscribers
/// switch on <see cref="Kind"/> (see <see cref="AlertEventKinds"/>) and read details from <see cref="Labels"/>.
/// </summary>
/// <param name="Kind">What happened, e.g. <c>alert.firing</c>; dotted, lower case.</param>
/// <param name="Deployment">The deployment it concerns.</param>
/// <param name="Summary">One line for people.</param>
/// <param name="Labels">Identifying labels (for alerts: alertname, deployment, severity, kind, rule_id…).</param>
/// <param name="Time">When it happened.</param>
public sealed record AlertEvent(string Kind, string Deployment, string Summary, IReadOnlyDictionary<string, string> Labels, DateTimeOffset Time)
{
    /// <summary>Longer text: the measured value and the threshold.</summary>
    public string? Description { get; init; }

    /// <summary>The measured value, when there is one.</summary>
    public double? Value { get; init; }

    /// <summary>The id of the rule (or other producer) behind the event.</summary>
    public string? SourceId { get; init; }
}

/// <summary>The <see cref="AlertEvent.Kind"/>s Kiln publishes.</summary>
public static class AlertEventKinds
{
    /// <summary>An alert started firing.</summary>
    public const string Firing = "alert.firing";

    /// <summary>A firing alert resolved (its condition is false again, or there is no data, or the rule went away).</summary>
    public const string Resolved = "alert.resolved";
}
