namespace Kiln.Core.Monitoring.Alerts;

/// <summary>Where one rule stands for one deployment, as of its last evaluation.</summary>
public sealed record AlertState
{
    /// <summary>The rule's id.</summary>
    public required string RuleId { get; init; }

    /// <summary>The rule's name (the <c>alertname</c>).</summary>
    public required string RuleName { get; init; }

    /// <summary>The deployment.</summary>
    public required string Deployment { get; init; }

    /// <summary>What the rule watches.</summary>
    public required AlertKind Kind { get; init; }

    /// <summary>The rule's severity.</summary>
    public AlertSeverity Severity { get; init; } = AlertSeverity.Warning;

    /// <summary>Where the pair stands.</summary>
    public required AlertStatus Status { get; init; }

    /// <summary>The signal's last value; null when there was no data.</summary>
    public double? Value { get; init; }

    /// <summary>The rule's threshold.</summary>
    public double Threshold { get; init; }

    /// <summary>What was measured and against what, or why there was no data.</summary>
    public required string Description { get; init; }

    /// <summary>When the pair entered its current status.</summary>
    public required DateTimeOffset Since { get; init; }

    /// <summary>When the condition became true (pending or firing).</summary>
    public DateTimeOffset? ActiveAt { get; init; }

    /// <summary>When the alert last started firing.</summary>
    public DateTimeOffset? FiredAt { get; init; }

    /// <summary>When the alert last resolved.</summary>
    public DateTimeOffset? ResolvedAt { get; init; }

    /// <summary>When the pair was last evaluated.</summary>
    public required DateTimeOffset EvaluatedAt { get; init; }
}
