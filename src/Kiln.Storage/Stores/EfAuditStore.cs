using Kiln.Core.Audit;
using Kiln.Storage.Entities;
using Microsoft.EntityFrameworkCore;

namespace Kiln.Storage.Stores;

/// <summary>
/// The audit log on EF Core. Append-only: this store has no update, and the database refuses one (a trigger on
/// <c>audit_events</c>, added by the migration on SQLite and PostgreSQL); retention deletes the oldest rows.
/// </summary>
public sealed class EfAuditStore(IDbContextFactory<KilnDbContext> contexts) : IAuditStore
{
    /// <summary>The most events one query returns.</summary>
    public const int MaxLimit = 1000;

    public async Task AppendAsync(AuditEvent auditEvent, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        db.AuditEvents.Add(new AuditEventEntity
        {
            At = auditEvent.At,
            Actor = Clip(auditEvent.Actor, 64),
            ActorName = auditEvent.ActorName is null ? null : Clip(auditEvent.ActorName, 128),
            Action = Clip(auditEvent.Action, 300),
            Target = Clip(auditEvent.Target, 1100),
            Status = auditEvent.Status,
            Address = auditEvent.Address is null ? null : Clip(auditEvent.Address, 64),
            RequestId = auditEvent.RequestId is null ? null : Clip(auditEvent.RequestId, 128),
            Replica = auditEvent.Replica is null ? null : Clip(auditEvent.Replica, 64),
            Before = auditEvent.Before,
            After = auditEvent.After,
        });
        await db.SaveChangesAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<AuditEvent>> QueryAsync(AuditQuery query, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var events = db.AuditEvents.AsNoTracking().Where(e => e.Id > query.AfterId);
        if (query.Since is { } since)
        {
            events = events.Where(e => e.At >= since);
        }

        if (query.Until is { } until)
        {
            events = events.Where(e => e.At < until);
        }

        if (!string.IsNullOrEmpty(query.Actor))
        {
            events = events.Where(e => e.Actor == query.Actor);
        }

        if (!string.IsNullOrEmpty(query.Action))
        {
            events = events.Where(e => e.Action.Contains(query.Action));
        }

        if (!string.IsNullOrEmpty(query.Target))
        {
            events = events.Where(e => e.Target.StartsWith(query.Target));
        }

        var rows = await events.OrderBy(e => e.Id).Take(Math.Clamp(query.Limit, 1, MaxLimit)).ToListAsync(cancellationToken);
        return rows.Select(e => new AuditEvent
        {
            Id = e.Id,
            At = e.At,
            Actor = e.Actor,
            ActorName = e.ActorName,
            Action = e.Action,
            Target = e.Target,
            Status = e.Status,
            Address = e.Address,
            RequestId = e.RequestId,
            Replica = e.Replica,
            Before = e.Before,
            After = e.After,
        }).ToArray();
    }

    public async Task<int> DeleteOlderThanAsync(DateTimeOffset before, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.AuditEvents.Where(e => e.At < before).ExecuteDeleteAsync(cancellationToken);
    }

    private static string Clip(string value, int length) => value.Length <= length ? value : value[..length];
}
