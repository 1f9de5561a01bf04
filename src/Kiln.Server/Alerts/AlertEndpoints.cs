using System.Globalization;
using System.Security.Cryptography;
using Kiln.Core;
using Kiln.Core.Monitoring.Alerts;
using Kiln.Core.Security;
using Kiln.Monitoring.Alerts;
using Kiln.Server.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Kiln.Server.Audit;
using Kiln.Core.Serialization;

namespace Kiln.Server.Alerts;

/// <summary>Alerts: current states, rules (API rules editable, config rules read-only) and the history of changes.</summary>
internal static class AlertEndpoints
{
    private const int MaxHistory = 1000;

    public static IEndpointRouteBuilder MapAlertEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/alerts").WithTags("Alerts");
        group.MapGet("", List).RequireRole(KilnRole.Viewer)
            .WithSummary("The state of every (rule, deployment): firing, pending, resolved, inactive or no_data. ?status=active for pending and firing only.");
        group.MapGet("/history", History).RequireRole(KilnRole.Viewer)
            .WithSummary("Status changes, newest first. since: an RFC 3339 time or a duration back from now (1h, 2d).");
        group.MapGet("/rules", ListRules).RequireRole(KilnRole.Viewer);
        group.MapGet("/rules/{id}", GetRule).RequireRole(KilnRole.Viewer);
        group.MapPost("/rules", CreateRule).RequireRole(KilnRole.Deployer);
        group.MapPut("/rules/{id}", UpdateRule).RequireRole(KilnRole.Deployer);
        group.MapDelete("/rules/{id}", DeleteRule).RequireRole(KilnRole.Deployer);
        return app;
    }

    private static async Task<Ok<IReadOnlyList<AlertState>>> List(IAlertStore store, string? deployment, string? status, CancellationToken cancellationToken)
    {
        IEnumerable<AlertState> states = await store.ListStatesAsync(cancellationToken);
        if (!string.IsNullOrEmpty(deployment))
        {
            states = states.Where(s => s.Deployment == deployment);
        }

        if (!string.IsNullOrEmpty(status))
        {
            states = status == "active"
                ? states.Where(s => s.Status is AlertStatus.Pending or AlertStatus.Firing)
                : states.Where(s => AlertWireNames.Name(s.Status) == status);
        }

        return TypedResults.Ok<IReadOnlyList<AlertState>>(states.ToArray());
    }

    private static async Task<Ok<IReadOnlyList<AlertTransition>>> History(IAlertStore store, TimeProvider time, string? deployment, string? since, int? limit, CancellationToken cancellationToken)
    {
        if (limit is < 1 or > MaxHistory)
        {
            throw KilnException.Invalid("limit", $"must be between 1 and {MaxHistory}.");
        }

        var query = new AlertHistoryQuery(string.IsNullOrEmpty(deployment) ? null : deployment, ParseSince(since, time.GetUtcNow()), limit ?? 100);
        return TypedResults.Ok(await store.ListHistoryAsync(query, cancellationToken));
    }

    private static async Task<Ok<IReadOnlyList<AlertRule>>> ListRules(AlertRuleCatalog rules, HttpContext context, CancellationToken cancellationToken) =>
        TypedResults.Ok<IReadOnlyList<AlertRule>>((await rules.ListAsync(cancellationToken)).Select(r => WebhookRedaction.ForCaller(r, context)).ToArray());

    private static async Task<Ok<AlertRule>> GetRule(string id, AlertRuleCatalog rules, HttpContext context, CancellationToken cancellationToken) =>
        TypedResults.Ok(WebhookRedaction.ForCaller(await rules.GetAsync(id, cancellationToken) ?? throw KilnException.NotFound("Alert rule", id), context));

    private static async Task<Created<AlertRule>> CreateRule(
        AlertRuleRequest request, IAlertStore store, WebhookTargetPolicy webhookTargets, HttpContext context, CancellationToken cancellationToken)
    {
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
        var rule = AlertRules.Create(id, request);
        webhookTargets.CheckRuleWebhooks(rule.Webhooks);
        var created = await store.CreateRuleAsync(rule, cancellationToken);
        AuditNote.Record(context, null, WebhookRedaction.Redacted(created), KilnJsonContext.Default.AlertRule);
        return TypedResults.Created($"/api/alerts/rules/{id}", created);
    }

    private static async Task<Ok<AlertRule>> UpdateRule(
        string id, AlertRuleRequest request, AlertRuleCatalog rules, IAlertStore store, WebhookTargetPolicy webhookTargets, HttpContext context,
        CancellationToken cancellationToken)
    {
        EnsureNotConfigured(id, rules);
        var rule = AlertRules.Create(id, request);
        webhookTargets.CheckRuleWebhooks(rule.Webhooks);
        var before = await store.GetRuleAsync(id, cancellationToken);
        var updated = await store.UpdateRuleAsync(rule, cancellationToken) ?? throw KilnException.NotFound("Alert rule", id);
        AuditNote.Record(context, before is null ? null : WebhookRedaction.Redacted(before), WebhookRedaction.Redacted(updated), KilnJsonContext.Default.AlertRule);
        return TypedResults.Ok(updated);
    }

    private static async Task<NoContent> DeleteRule(string id, AlertRuleCatalog rules, IAlertStore store, HttpContext context, CancellationToken cancellationToken)
    {
        EnsureNotConfigured(id, rules);
        var before = await store.GetRuleAsync(id, cancellationToken);
        if (!await store.DeleteRuleAsync(id, cancellationToken))
        {
            throw KilnException.NotFound("Alert rule", id);
        }

        AuditNote.Record(context, before is null ? null : WebhookRedaction.Redacted(before), null, KilnJsonContext.Default.AlertRule);
        return TypedResults.NoContent();
    }

    private static void EnsureNotConfigured(string id, AlertRuleCatalog rules)
    {
        if (rules.Configured(id) is not null)
        {
            throw KilnException.Conflict($"Alert rule '{id}' comes from the server's configuration and is read-only: change Kiln:Monitoring:Alerts instead.");
        }
    }

    private static DateTimeOffset? ParseSince(string? since, DateTimeOffset now) =>
        string.IsNullOrWhiteSpace(since) ? null : DurationText.ParseTime(since, now, "since");
}
