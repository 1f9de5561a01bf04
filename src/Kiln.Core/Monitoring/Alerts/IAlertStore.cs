namespace Kiln.Core.Monitoring.Alerts;

/// <summary>The durable side of alerting: API rules, the current state of every (rule, deployment) and the history of changes.</summary>
public interface IAlertStore
{
    /// <summary>Lists the stored (API) rules.</summary>
    Task<IReadOnlyList<AlertRule>> ListRulesAsync(CancellationToken cancellationToken);

    /// <summary>Gets a stored rule, or null.</summary>
    Task<AlertRule?> GetRuleAsync(string id, CancellationToken cancellationToken);

    /// <summary>Stores a new rule; the store sets its timestamps.</summary>
    Task<AlertRule> CreateRuleAsync(AlertRule rule, CancellationToken cancellationToken);

    /// <summary>Replaces a stored rule; null when it does not exist.</summary>
    Task<AlertRule?> UpdateRuleAsync(AlertRule rule, CancellationToken cancellationToken);

    /// <summary>Deletes a stored rule; false when it did not exist. Its states are left for the evaluator to resolve.</summary>
    Task<bool> DeleteRuleAsync(string id, CancellationToken cancellationToken);

    /// <summary>Lists the current state of every (rule, deployment) pair.</summary>
    Task<IReadOnlyList<AlertState>> ListStatesAsync(CancellationToken cancellationToken);

    /// <summary>Saves one evaluation in one transaction: states to write, pairs to forget, transitions to append.</summary>
    Task SaveEvaluationAsync(IReadOnlyList<AlertState> states, IReadOnlyList<AlertStateKey> removed, IReadOnlyList<AlertTransition> transitions, CancellationToken cancellationToken);

    /// <summary>Lists transitions, newest first.</summary>
    Task<IReadOnlyList<AlertTransition>> ListHistoryAsync(AlertHistoryQuery query, CancellationToken cancellationToken);
}

/// <summary>Identifies an alert: one rule on one deployment.</summary>
/// <param name="RuleId">The rule's id.</param>
/// <param name="Deployment">The deployment.</param>
public sealed record AlertStateKey(string RuleId, string Deployment);

/// <summary>Which transitions to list.</summary>
/// <param name="Deployment">Only this deployment's, when set.</param>
/// <param name="Since">Only those at or after this time, when set.</param>
/// <param name="Limit">At most this many, newest first.</param>
public sealed record AlertHistoryQuery(string? Deployment = null, DateTimeOffset? Since = null, int Limit = 100);
