using Kiln.Core.Monitoring.Alerts;

namespace Kiln.Monitoring.Alerts;

/// <summary>Every rule the evaluator judges: the configured (read-only) ones first, then those stored through the API.</summary>
public sealed class AlertRuleCatalog(IAlertStore store, IConfiguredAlertRules configured)
{
    /// <summary>Lists every rule.</summary>
    public async Task<IReadOnlyList<AlertRule>> ListAsync(CancellationToken cancellationToken) =>
        [.. configured.Rules, .. await store.ListRulesAsync(cancellationToken)];

    /// <summary>Gets a rule by id, configured or stored; null when there is none.</summary>
    public async Task<AlertRule?> GetAsync(string id, CancellationToken cancellationToken) =>
        Configured(id) ?? await store.GetRuleAsync(id, cancellationToken);

    /// <summary>The configured rule with <paramref name="id"/>, or null.</summary>
    public AlertRule? Configured(string id) => configured.Rules.FirstOrDefault(r => r.Id == id);
}
