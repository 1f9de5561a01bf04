namespace Kiln.Core.Monitoring.Alerts;

/// <summary>One change of an alert's status: the history kept for <c>/api/alerts/history</c>.</summary>
public sealed record AlertTransition
{
    /// <summary>The store's id (ascending in time).</summary>
    public long Id { get; init; }

    /// <summary>The rule's id.</summary>
    public required string RuleId { get; init; }

    /// <summary>The rule's name.</summary>
    public required string RuleName { get; init; }

    /// <summary>The deployment.</summary>
    public required string Deployment { get; init; }

    /// <summary>What the rule watches.</summary>
    public required AlertKind Kind { get; init; }

    /// <summary>The rule's severity.</summary>
    public AlertSeverity Severity { get; init; } = AlertSeverity.Warning;

    /// <summary>The status before.</summary>
    public required AlertStatus From { get; init; }

    /// <summary>The status after.</summary>
    public required AlertStatus To { get; init; }

    /// <summary>The signal's value at the change; null when there was no data.</summary>
    public double? Value { get; init; }

    /// <summary>The rule's threshold.</summary>
    public double Threshold { get; init; }

    /// <summary>What was measured and against what.</summary>
    public required string Description { get; init; }

    /// <summary>When the change happened.</summary>
    public required DateTimeOffset At { get; init; }
}
