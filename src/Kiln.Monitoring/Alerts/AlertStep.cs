using Kiln.Core.Monitoring.Alerts;

namespace Kiln.Monitoring.Alerts;

/// <summary>The outcome of one evaluation of one (rule, deployment): the new state, and the transition when the status changed.</summary>
/// <param name="State">The state after this evaluation.</param>
/// <param name="Transition">The change of status, or null when it stayed.</param>
public sealed record AlertStep(AlertState State, AlertTransition? Transition)
{
    /// <summary>The alert started firing: notify.</summary>
    public bool Fired => Transition is { To: AlertStatus.Firing };

    /// <summary>A firing alert stopped firing (condition false, no data): notify resolved.</summary>
    public bool Resolved => Transition is { From: AlertStatus.Firing } t && t.To != AlertStatus.Firing;
}
