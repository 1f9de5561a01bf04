using Kiln.Core.Monitoring.Alerts;

namespace Kiln.Monitoring.Alerts;

/// <summary>An alert to announce: it started firing, or it resolved.</summary>
/// <param name="State">The alert's state after the change.</param>
/// <param name="Rule">The rule, when it still exists (a deleted rule's alert resolves without it).</param>
/// <param name="Resolved">True for a resolution, false for firing.</param>
public sealed record AlertNotification(AlertState State, AlertRule? Rule, bool Resolved);

/// <summary>Sends notifications somewhere (webhooks). Must not block: the evaluator calls it inline.</summary>
public interface IAlertNotifier
{
    /// <summary>Queues <paramref name="notification"/> for delivery.</summary>
    void Notify(AlertNotification notification);
}
