using System.Globalization;
using System.Net.Http.Json;
using Kiln.Core.Monitoring.Alerts;

namespace Kiln.Client;

public sealed partial class KilnClient
{
    /// <summary>Lists alert states: every (rule, deployment) pair, or only pending and firing ones with <paramref name="activeOnly"/>.</summary>
    public Task<IReadOnlyList<AlertState>> ListAlertsAsync(string? deployment = null, bool activeOnly = false, CancellationToken cancellationToken = default) =>
        GetAsync("api/alerts" + AlertQuery(("deployment", deployment), ("status", activeOnly ? "active" : null)), Json.IReadOnlyListAlertState, cancellationToken);

    /// <summary>Lists alert rules, configured (read-only) and API ones.</summary>
    public Task<IReadOnlyList<AlertRule>> ListAlertRulesAsync(CancellationToken cancellationToken = default) =>
        GetAsync("api/alerts/rules", Json.IReadOnlyListAlertRule, cancellationToken);

    /// <summary>Gets an alert rule by id.</summary>
    public Task<AlertRule> GetAlertRuleAsync(string id, CancellationToken cancellationToken = default) =>
        GetAsync($"api/alerts/rules/{Escape(id)}", Json.AlertRule, cancellationToken);

    /// <summary>Creates an alert rule; the server validates it and assigns its id.</summary>
    public async Task<AlertRule> CreateAlertRuleAsync(AlertRuleRequest rule, CancellationToken cancellationToken = default)
    {
        using var response = await _http.PostAsJsonAsync("api/alerts/rules", rule, Json.AlertRuleRequest, cancellationToken);
        return await ReadAsync(response, Json.AlertRule, cancellationToken);
    }

    /// <summary>Replaces an API alert rule (configured rules are read-only).</summary>
    public async Task<AlertRule> UpdateAlertRuleAsync(string id, AlertRuleRequest rule, CancellationToken cancellationToken = default)
    {
        using var response = await _http.PutAsJsonAsync($"api/alerts/rules/{Escape(id)}", rule, Json.AlertRuleRequest, cancellationToken);
        return await ReadAsync(response, Json.AlertRule, cancellationToken);
    }

    /// <summary>Deletes an API alert rule; its firing alerts resolve at the next evaluation.</summary>
    public async Task DeleteAlertRuleAsync(string id, CancellationToken cancellationToken = default)
    {
        using var response = await _http.DeleteAsync($"api/alerts/rules/{Escape(id)}", cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
    }

    /// <summary>Lists alert status changes, newest first; <paramref name="since"/> is an RFC 3339 time or a duration back from now (<c>1h</c>).</summary>
    public Task<IReadOnlyList<AlertTransition>> ListAlertHistoryAsync(string? deployment = null, string? since = null, int? limit = null, CancellationToken cancellationToken = default) =>
        GetAsync("api/alerts/history" + AlertQuery(("deployment", deployment), ("since", since), ("limit", limit?.ToString(CultureInfo.InvariantCulture))),
            Json.IReadOnlyListAlertTransition, cancellationToken);

    private static string AlertQuery(params (string Name, string? Value)[] parameters)
    {
        var present = parameters.Where(p => !string.IsNullOrEmpty(p.Value)).Select(p => $"{p.Name}={Uri.EscapeDataString(p.Value!)}").ToArray();
        return present.Length == 0 ? "" : "?" + string.Join('&', present);
    }
}
