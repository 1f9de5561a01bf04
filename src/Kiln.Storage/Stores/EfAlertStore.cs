using Kiln.Core;
using Kiln.Core.Monitoring.Alerts;
using Kiln.Storage.Entities;
using Microsoft.EntityFrameworkCore;

namespace Kiln.Storage.Stores;

/// <summary>Alert rules, states and history on EF Core. Webhook URLs are stored one per line (a URL holds no line break).</summary>
public sealed class EfAlertStore(IDbContextFactory<KilnDbContext> contexts, TimeProvider time) : IAlertStore
{
    public async Task<IReadOnlyList<AlertRule>> ListRulesAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var entities = await db.AlertRules.AsNoTracking().OrderBy(r => r.CreatedAt).ThenBy(r => r.Id).ToListAsync(cancellationToken);
        return entities.Select(ToRule).ToArray();
    }

    public async Task<AlertRule?> GetRuleAsync(string id, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var entity = await db.AlertRules.AsNoTracking().SingleOrDefaultAsync(r => r.Id == id, cancellationToken);
        return entity is null ? null : ToRule(entity);
    }

    public async Task<AlertRule> CreateRuleAsync(AlertRule rule, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        if (await db.AlertRules.AnyAsync(r => r.Id == rule.Id, cancellationToken))
        {
            throw KilnException.Conflict($"Alert rule '{rule.Id}' already exists.");
        }

        var now = time.GetUtcNow();
        var entity = new AlertRuleEntity { Id = rule.Id, Name = rule.Name, Deployment = rule.Deployment, CreatedAt = now };
        Apply(entity, rule, now);
        db.AlertRules.Add(entity);
        await db.SaveChangesAsync(cancellationToken);
        return ToRule(entity);
    }

    public async Task<AlertRule?> UpdateRuleAsync(AlertRule rule, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var entity = await db.AlertRules.SingleOrDefaultAsync(r => r.Id == rule.Id, cancellationToken);
        if (entity is null)
        {
            return null;
        }

        Apply(entity, rule, time.GetUtcNow());
        await db.SaveChangesAsync(cancellationToken);
        return ToRule(entity);
    }

    public async Task<bool> DeleteRuleAsync(string id, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.AlertRules.Where(r => r.Id == id).ExecuteDeleteAsync(cancellationToken) > 0;
    }

    public async Task<IReadOnlyList<AlertState>> ListStatesAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var entities = await db.AlertStates.AsNoTracking().OrderBy(s => s.Deployment).ThenBy(s => s.RuleName).ToListAsync(cancellationToken);
        return entities.Select(ToState).ToArray();
    }

    public async Task SaveEvaluationAsync(IReadOnlyList<AlertState> states, IReadOnlyList<AlertStateKey> removed, IReadOnlyList<AlertTransition> transitions, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var existing = await db.AlertStates.ToDictionaryAsync(s => new AlertStateKey(s.RuleId, s.Deployment), cancellationToken);
        foreach (var key in removed)
        {
            if (existing.Remove(key, out var gone))
            {
                db.AlertStates.Remove(gone);
            }
        }

        foreach (var state in states)
        {
            if (!existing.TryGetValue(new AlertStateKey(state.RuleId, state.Deployment), out var entity))
            {
                entity = new AlertStateEntity { RuleId = state.RuleId, Deployment = state.Deployment, RuleName = state.RuleName, Description = state.Description };
                db.AlertStates.Add(entity);
            }

            Apply(entity, state);
        }

        db.AlertTransitions.AddRange(transitions.Select(ToEntity));
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<AlertTransition>> ListHistoryAsync(AlertHistoryQuery query, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var transitions = db.AlertTransitions.AsNoTracking();
        if (query.Deployment is { } deployment)
        {
            transitions = transitions.Where(t => t.Deployment == deployment);
        }

        if (query.Since is { } since)
        {
            transitions = transitions.Where(t => t.At >= since);
        }

        var entities = await transitions.OrderByDescending(t => t.Id).Take(Math.Max(1, query.Limit)).ToListAsync(cancellationToken);
        return entities.Select(ToTransition).ToArray();
    }

    private static void Apply(AlertRuleEntity entity, AlertRule rule, DateTimeOffset now)
    {
        entity.Name = rule.Name;
        entity.Deployment = rule.Deployment;
        entity.Kind = (int)rule.Kind;
        entity.Threshold = rule.Threshold;
        entity.Comparison = (int)rule.Comparison;
        entity.WindowMs = (long)rule.Window.TotalMilliseconds;
        entity.ForMs = (long)rule.For.TotalMilliseconds;
        entity.Metric = rule.Metric;
        entity.Feature = rule.Feature;
        entity.Severity = (int)rule.Severity;
        entity.Enabled = rule.Enabled;
        entity.Webhooks = string.Join('\n', rule.Webhooks);
        entity.Description = rule.Description;
        entity.UpdatedAt = now;
    }

    private static AlertRule ToRule(AlertRuleEntity entity) => new()
    {
        Id = entity.Id,
        Name = entity.Name,
        Deployment = entity.Deployment,
        Kind = (AlertKind)entity.Kind,
        Threshold = entity.Threshold,
        Comparison = (AlertComparison)entity.Comparison,
        Window = TimeSpan.FromMilliseconds(entity.WindowMs),
        For = TimeSpan.FromMilliseconds(entity.ForMs),
        Metric = entity.Metric,
        Feature = entity.Feature,
        Severity = (AlertSeverity)entity.Severity,
        Enabled = entity.Enabled,
        Source = AlertRuleSource.Api,
        Webhooks = entity.Webhooks.Split('\n', StringSplitOptions.RemoveEmptyEntries),
        Description = entity.Description,
        CreatedAt = entity.CreatedAt,
        UpdatedAt = entity.UpdatedAt,
    };

    private static void Apply(AlertStateEntity entity, AlertState state)
    {
        entity.RuleName = state.RuleName;
        entity.Kind = (int)state.Kind;
        entity.Severity = (int)state.Severity;
        entity.Status = (int)state.Status;
        entity.Value = state.Value;
        entity.Threshold = state.Threshold;
        entity.Description = state.Description;
        entity.Since = state.Since;
        entity.ActiveAt = state.ActiveAt;
        entity.FiredAt = state.FiredAt;
        entity.ResolvedAt = state.ResolvedAt;
        entity.EvaluatedAt = state.EvaluatedAt;
    }

    private static AlertState ToState(AlertStateEntity entity) => new()
    {
        RuleId = entity.RuleId,
        RuleName = entity.RuleName,
        Deployment = entity.Deployment,
        Kind = (AlertKind)entity.Kind,
        Severity = (AlertSeverity)entity.Severity,
        Status = (AlertStatus)entity.Status,
        Value = entity.Value,
        Threshold = entity.Threshold,
        Description = entity.Description,
        Since = entity.Since,
        ActiveAt = entity.ActiveAt,
        FiredAt = entity.FiredAt,
        ResolvedAt = entity.ResolvedAt,
        EvaluatedAt = entity.EvaluatedAt,
    };

    private static AlertTransitionEntity ToEntity(AlertTransition transition) => new()
    {
        RuleId = transition.RuleId,
        RuleName = transition.RuleName,
        Deployment = transition.Deployment,
        Kind = (int)transition.Kind,
        Severity = (int)transition.Severity,
        FromStatus = (int)transition.From,
        ToStatus = (int)transition.To,
        Value = transition.Value,
        Threshold = transition.Threshold,
        Description = transition.Description,
        At = transition.At,
    };

    private static AlertTransition ToTransition(AlertTransitionEntity entity) => new()
    {
        Id = entity.Id,
        RuleId = entity.RuleId,
        RuleName = entity.RuleName,
        Deployment = entity.Deployment,
        Kind = (AlertKind)entity.Kind,
        Severity = (AlertSeverity)entity.Severity,
        From = (AlertStatus)entity.FromStatus,
        To = (AlertStatus)entity.ToStatus,
        Value = entity.Value,
        Threshold = entity.Threshold,
        Description = entity.Description,
        At = entity.At,
    };
}
