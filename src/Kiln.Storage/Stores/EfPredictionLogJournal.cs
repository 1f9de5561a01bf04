using Kiln.Core.Monitoring;
using Kiln.Storage.Entities;
using Microsoft.EntityFrameworkCore;

namespace Kiln.Storage.Stores;

/// <summary>
/// The prediction-log journal on EF Core: one row per process start. A dead session is claimed by a conditional
/// update (still running, still silent), so when several replicas look at once exactly one of them reports it.
/// Cleanly ended sessions are kept a week; crashed ones 90 days, for the record.
/// </summary>
public sealed class EfPredictionLogJournal(IDbContextFactory<KilnDbContext> contexts) : IPredictionLogJournal
{
    private static readonly TimeSpan KeptClean = TimeSpan.FromDays(7);
    private static readonly TimeSpan KeptCrashed = TimeSpan.FromDays(90);

    public async Task CheckpointAsync(PredictionLogSession session, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var updated = await db.PredictionLogSessions.Where(s => s.Id == session.Id && s.EndedAt == null)
            .ExecuteUpdateAsync(
                set => set.SetProperty(s => s.CheckpointAt, session.CheckpointAt).SetProperty(s => s.Accepted, session.Accepted)
                    .SetProperty(s => s.Written, session.Written).SetProperty(s => s.Dropped, session.Dropped).SetProperty(s => s.Failed, session.Failed),
                cancellationToken);
        if (updated == 0 && !await db.PredictionLogSessions.AnyAsync(s => s.Id == session.Id, cancellationToken))
        {
            db.PredictionLogSessions.Add(ToEntity(session));
            await db.SaveChangesAsync(cancellationToken);
        }
    }

    public async Task EndAsync(PredictionLogSession session, DateTimeOffset endedAt, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var entity = await db.PredictionLogSessions.SingleOrDefaultAsync(s => s.Id == session.Id, cancellationToken);
        if (entity is null)
        {
            db.PredictionLogSessions.Add(entity = ToEntity(session));
        }
        else if (entity.EndedAt is not null)
        {
            return; // found silent and claimed as crashed by another replica: that report stands
        }

        entity.CheckpointAt = session.CheckpointAt;
        (entity.Accepted, entity.Written, entity.Dropped, entity.Failed) = (session.Accepted, session.Written, session.Dropped, session.Failed);
        entity.EndedAt = endedAt;
        await db.SaveChangesAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<PredictionLogSession>> ClaimCrashedAsync(DateTimeOffset silentSince, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var candidates = await db.PredictionLogSessions.AsNoTracking()
            .Where(s => s.EndedAt == null && s.CheckpointAt < silentSince)
            .ToListAsync(cancellationToken);
        var claimed = new List<PredictionLogSession>();
        foreach (var candidate in candidates)
        {
            var won = await db.PredictionLogSessions.Where(s => s.Id == candidate.Id && s.EndedAt == null && s.CheckpointAt == candidate.CheckpointAt)
                .ExecuteUpdateAsync(set => set.SetProperty(s => s.EndedAt, now).SetProperty(s => s.Crashed, true), cancellationToken);
            if (won == 1)
            {
                candidate.EndedAt = now;
                candidate.Crashed = true;
                claimed.Add(ToRecord(candidate));
            }
        }

        var cleanBefore = now - KeptClean;
        var crashedBefore = now - KeptCrashed;
        await db.PredictionLogSessions.Where(s => (s.Crashed && s.EndedAt < crashedBefore) || (!s.Crashed && s.EndedAt < cleanBefore))
            .ExecuteDeleteAsync(cancellationToken);
        return claimed;
    }

    public async Task<IReadOnlyList<PredictionLogSession>> ListCrashedAsync(int limit, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var rows = await db.PredictionLogSessions.AsNoTracking().Where(s => s.Crashed).ToListAsync(cancellationToken);
        return rows.OrderByDescending(s => s.EndedAt).Take(limit).Select(ToRecord).ToArray();
    }

    private static PredictionLogSessionEntity ToEntity(PredictionLogSession session) => new()
    {
        Id = session.Id,
        Replica = session.Replica,
        StartedAt = session.StartedAt,
        CheckpointAt = session.CheckpointAt,
        Accepted = session.Accepted,
        Written = session.Written,
        Dropped = session.Dropped,
        Failed = session.Failed,
    };

    private static PredictionLogSession ToRecord(PredictionLogSessionEntity entity) =>
        new(entity.Id, entity.Replica, entity.StartedAt, entity.CheckpointAt, entity.Accepted, entity.Written, entity.Dropped, entity.Failed)
        {
            EndedAt = entity.EndedAt,
            Crashed = entity.Crashed,
        };
}
