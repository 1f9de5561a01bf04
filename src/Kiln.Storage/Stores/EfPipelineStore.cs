using Kiln.Core;
using Kiln.Core.Pipelines;
using Kiln.Storage.Entities;
using Microsoft.EntityFrameworkCore;

namespace Kiln.Storage.Stores;

/// <summary>
/// Pipelines on EF Core. Ownership of a run is a conditional UPDATE (as for leases), and every save of a run's
/// state re-checks it inside the same transaction, so a replica that lost a run can no longer write to it.
/// </summary>
public sealed class EfPipelineStore(IDbContextFactory<KilnDbContext> contexts) : IPipelineStore
{
    private const int MaxAttempts = 5;

    private static readonly int[] Unfinished = [(int)PipelineRunStatus.Queued, (int)PipelineRunStatus.Running, (int)PipelineRunStatus.Waiting];

    public async Task<(PipelineVersionRecord Version, bool Created)> ApplyAsync(string pipeline, string source, string digest, string? description, string? createdBy, DateTimeOffset now, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            var latest = await Latest(db, pipeline).FirstOrDefaultAsync(cancellationToken);
            if (latest is not null && latest.Digest == digest)
            {
                return (ToRecord(latest), false);
            }

            var entity = new PipelineVersionEntity
            {
                Pipeline = pipeline,
                Version = (latest?.Version ?? 0) + 1,
                Source = source,
                Digest = digest,
                Description = description,
                CreatedAt = now,
                CreatedBy = createdBy,
            };
            db.PipelineVersions.Add(entity);
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                return (ToRecord(entity), true);
            }
            catch (DbUpdateException) when (attempt < MaxAttempts)
            {
                // Another replica stored the same version number first; read the new latest and try again.
            }
        }
    }

    public async Task<PipelineVersionRecord?> GetVersionAsync(string pipeline, int? version, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var query = version is { } v ? db.PipelineVersions.Where(p => p.Pipeline == pipeline && p.Version == v) : Latest(db, pipeline);
        return await query.AsNoTracking().FirstOrDefaultAsync(cancellationToken) is { } entity ? ToRecord(entity) : null;
    }

    public async Task<IReadOnlyList<PipelineVersionRecord>> ListLatestAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var latest = await db.PipelineVersions.AsNoTracking()
            .Where(v => v.Version == db.PipelineVersions.Where(o => o.Pipeline == v.Pipeline).Max(o => o.Version))
            .ToListAsync(cancellationToken);
        return latest.OrderBy(v => v.Pipeline, StringComparer.Ordinal).Select(ToRecord).ToList();
    }

    public async Task<IReadOnlyList<PipelineVersionRecord>> ListVersionsAsync(string pipeline, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var versions = await db.PipelineVersions.AsNoTracking().Where(v => v.Pipeline == pipeline)
            .OrderByDescending(v => v.Version).ToListAsync(cancellationToken);
        return versions.Select(ToRecord).ToList();
    }

    public async Task<bool> DeleteAsync(string pipeline, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        if (await db.PipelineRuns.AnyAsync(r => r.Pipeline == pipeline && Unfinished.Contains(r.Status), cancellationToken))
        {
            throw KilnException.Conflict($"Pipeline '{pipeline}' has an unfinished run; cancel it first.");
        }

        var runs = db.PipelineRuns.Where(r => r.Pipeline == pipeline).Select(r => r.Id);
        await db.PipelineLogs.Where(l => runs.Contains(l.RunId)).ExecuteDeleteAsync(cancellationToken);
        await db.PipelineSteps.Where(s => runs.Contains(s.RunId)).ExecuteDeleteAsync(cancellationToken);
        await db.PipelineRuns.Where(r => r.Pipeline == pipeline).ExecuteDeleteAsync(cancellationToken);
        var deleted = await db.PipelineVersions.Where(v => v.Pipeline == pipeline).ExecuteDeleteAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return deleted > 0;
    }

    public async Task<bool> CreateRunAsync(PipelineRunRecord run, IReadOnlyList<PipelineStepRecord> steps, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        if (run.TriggerKey is { } key && await db.PipelineRuns.AnyAsync(r => r.Pipeline == run.Pipeline && r.TriggerKey == key, cancellationToken))
        {
            return false;
        }

        db.PipelineRuns.Add(ToEntity(run));
        db.PipelineSteps.AddRange(steps.Select(ToEntity));
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return true;
        }
        catch (DbUpdateException) when (run.TriggerKey is not null)
        {
            return false; // another replica created the run for the same trigger first
        }
    }

    public async Task<PipelineRunRecord?> GetRunAsync(string runId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.PipelineRuns.AsNoTracking().SingleOrDefaultAsync(r => r.Id == runId, cancellationToken) is { } run ? ToRecord(run) : null;
    }

    public async Task<IReadOnlyList<string>> FindRunIdsAsync(string prefix, int limit, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.PipelineRuns.AsNoTracking().Where(r => r.Id.StartsWith(prefix)).OrderBy(r => r.Id).Select(r => r.Id).Take(limit).ToListAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<PipelineStepRecord>> GetStepsAsync(string runId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var steps = await db.PipelineSteps.AsNoTracking().Where(s => s.RunId == runId).OrderBy(s => s.Ordinal).ToListAsync(cancellationToken);
        return steps.Select(ToRecord).ToList();
    }

    public async Task<IReadOnlyList<PipelineRunRecord>> ListRunsAsync(string? pipeline, int limit, DateTimeOffset? before, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var query = db.PipelineRuns.AsNoTracking();
        if (pipeline is not null)
        {
            query = query.Where(r => r.Pipeline == pipeline);
        }

        if (before is { } b)
        {
            query = query.Where(r => r.CreatedAt < b);
        }

        var runs = await query.OrderByDescending(r => r.CreatedAt).ThenByDescending(r => r.Id).Take(limit).ToListAsync(cancellationToken);
        return runs.Select(ToRecord).ToList();
    }

    public async Task<IReadOnlyList<PipelineRunRecord>> ListOrphanedRunsAsync(DateTimeOffset staleBefore, int limit, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var runs = await db.PipelineRuns.AsNoTracking()
            .Where(r => Unfinished.Contains(r.Status) && (r.Owner == null || r.HeartbeatAt == null || r.HeartbeatAt < staleBefore))
            .OrderBy(r => r.CreatedAt).Take(limit).ToListAsync(cancellationToken);
        return runs.Select(ToRecord).ToList();
    }

    public async Task<bool> TryClaimRunAsync(string runId, string owner, DateTimeOffset now, DateTimeOffset staleBefore, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.PipelineRuns
            .Where(r => r.Id == runId && Unfinished.Contains(r.Status)
                && (r.Owner == null || r.Owner == owner || r.HeartbeatAt == null || r.HeartbeatAt < staleBefore))
            .ExecuteUpdateAsync(set => set.SetProperty(r => r.Owner, owner).SetProperty(r => r.HeartbeatAt, now), cancellationToken) == 1;
    }

    public async Task<bool> SaveAsync(string owner, PipelineRunRecord run, IReadOnlyList<PipelineStepRecord> changedSteps, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var updated = await db.PipelineRuns.Where(r => r.Id == run.Id && r.Owner == owner)
            .ExecuteUpdateAsync(set => set
                .SetProperty(r => r.Status, (int)run.Status)
                .SetProperty(r => r.StartedAt, run.StartedAt)
                .SetProperty(r => r.FinishedAt, run.FinishedAt)
                .SetProperty(r => r.Error, Bounded(run.Error))
                .SetProperty(r => r.HeartbeatAt, now)
                // A finished run lets go of its owner, so nothing else ever claims it.
                .SetProperty(r => r.Owner, run.IsFinished ? null : owner), cancellationToken);
        if (updated != 1)
        {
            return false;
        }

        foreach (var step in changedSteps)
        {
            await db.PipelineSteps.Where(s => s.RunId == run.Id && s.Step == step.Step)
                .ExecuteUpdateAsync(set => set
                    .SetProperty(s => s.Status, (int)step.Status)
                    .SetProperty(s => s.Attempt, step.Attempt)
                    .SetProperty(s => s.StartedAt, step.StartedAt)
                    .SetProperty(s => s.FinishedAt, step.FinishedAt)
                    .SetProperty(s => s.NextAttemptAt, step.NextAttemptAt)
                    .SetProperty(s => s.InputsJson, step.InputsJson)
                    .SetProperty(s => s.OutputsJson, step.OutputsJson)
                    .SetProperty(s => s.Error, Bounded(step.Error))
                    .SetProperty(s => s.CacheKey, step.CacheKey)
                    .SetProperty(s => s.CachedFrom, step.CachedFrom), cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    public async Task<bool> RequestCancelAsync(string runId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.PipelineRuns.Where(r => r.Id == runId && Unfinished.Contains(r.Status))
            .ExecuteUpdateAsync(set => set.SetProperty(r => r.CancelRequested, true), cancellationToken) == 1;
    }

    public async Task<bool> DecideAsync(string runId, string step, string decisionJson, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.PipelineSteps.Where(s => s.RunId == runId && s.Step == step && s.Status == (int)PipelineStepStatus.Waiting && s.DecisionJson == null)
            .ExecuteUpdateAsync(set => set.SetProperty(s => s.DecisionJson, decisionJson), cancellationToken) == 1;
    }

    public async Task<bool> RetryRunAsync(string runId, CancellationToken cancellationToken)
    {
        int[] again = [(int)PipelineStepStatus.Failed, (int)PipelineStepStatus.Cancelled, (int)PipelineStepStatus.Skipped];
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var reset = await db.PipelineRuns
            .Where(r => r.Id == runId && (r.Status == (int)PipelineRunStatus.Failed || r.Status == (int)PipelineRunStatus.Cancelled))
            .ExecuteUpdateAsync(set => set
                .SetProperty(r => r.Status, (int)PipelineRunStatus.Queued)
                .SetProperty(r => r.Attempt, r => r.Attempt + 1)
                .SetProperty(r => r.FinishedAt, (DateTimeOffset?)null)
                .SetProperty(r => r.Error, (string?)null)
                .SetProperty(r => r.Owner, (string?)null)
                .SetProperty(r => r.HeartbeatAt, (DateTimeOffset?)null)
                .SetProperty(r => r.CancelRequested, false), cancellationToken);
        if (reset != 1)
        {
            return false;
        }

        await db.PipelineSteps.Where(s => s.RunId == runId && again.Contains(s.Status))
            .ExecuteUpdateAsync(set => set
                .SetProperty(s => s.Status, (int)PipelineStepStatus.Pending)
                .SetProperty(s => s.Attempt, 0)
                .SetProperty(s => s.StartedAt, (DateTimeOffset?)null)
                .SetProperty(s => s.FinishedAt, (DateTimeOffset?)null)
                .SetProperty(s => s.NextAttemptAt, (DateTimeOffset?)null)
                .SetProperty(s => s.Error, (string?)null)
                .SetProperty(s => s.DecisionJson, (string?)null), cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    public async Task AppendLogAsync(IReadOnlyList<PipelineLogLine> lines, CancellationToken cancellationToken)
    {
        if (lines.Count == 0)
        {
            return;
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        db.PipelineLogs.AddRange(lines.Select(l => new PipelineLogEntity
        {
            RunId = l.RunId,
            Step = l.Step,
            Attempt = l.Attempt,
            Time = l.Time,
            Text = l.Text.Length <= 4000 ? l.Text : l.Text[..3997] + "...",
        }));
        await db.SaveChangesAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<PipelineLogLine>> ReadLogAsync(string runId, string? step, long afterSequence, int limit, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var query = db.PipelineLogs.AsNoTracking().Where(l => l.RunId == runId && l.Id > afterSequence);
        if (step is not null)
        {
            query = query.Where(l => l.Step == step);
        }

        return await query.OrderBy(l => l.Id).Take(limit)
            .Select(l => new PipelineLogLine(l.Id, l.RunId, l.Step, l.Attempt, l.Time, l.Text)).ToListAsync(cancellationToken);
    }

    public async Task<PipelineStepRecord?> FindCachedAsync(string pipeline, string step, string cacheKey, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var found = await db.PipelineSteps.AsNoTracking()
            .Where(s => s.CacheKey == cacheKey && s.Step == step && s.Status == (int)PipelineStepStatus.Succeeded
                && db.PipelineRuns.Any(r => r.Id == s.RunId && r.Pipeline == pipeline))
            .OrderByDescending(s => s.FinishedAt).FirstOrDefaultAsync(cancellationToken);
        return found is null ? null : ToRecord(found);
    }

    private static IQueryable<PipelineVersionEntity> Latest(KilnDbContext db, string pipeline) =>
        db.PipelineVersions.Where(v => v.Pipeline == pipeline).OrderByDescending(v => v.Version);

    private static string? Bounded(string? text) => text is { Length: > 4000 } ? text[..3997] + "..." : text;

    private static PipelineVersionRecord ToRecord(PipelineVersionEntity v) =>
        new(v.Pipeline, v.Version, v.Source, v.Digest, v.Description, v.CreatedAt, v.CreatedBy);

    private static PipelineRunRecord ToRecord(PipelineRunEntity r) =>
        new(r.Id, r.Pipeline, r.Version, (PipelineRunStatus)r.Status, r.TriggerKind, r.TriggerReason, r.TriggerJson, r.TriggerKey, r.ParametersJson,
            r.CreatedAt, r.StartedAt, r.FinishedAt, r.Error, r.Attempt, r.Owner, r.HeartbeatAt, r.CancelRequested, r.StartedBy);

    private static PipelineStepRecord ToRecord(PipelineStepEntity s) =>
        new(s.RunId, s.Step, s.Kind, (PipelineStepStatus)s.Status, s.Attempt, s.StartedAt, s.FinishedAt, s.NextAttemptAt,
            s.InputsJson, s.OutputsJson, s.Error, s.CacheKey, s.CachedFrom, s.DecisionJson);

    private static PipelineRunEntity ToEntity(PipelineRunRecord r) => new()
    {
        Id = r.Id,
        Pipeline = r.Pipeline,
        Version = r.Version,
        Status = (int)r.Status,
        TriggerKind = r.TriggerKind,
        TriggerReason = r.TriggerReason.Length <= 1000 ? r.TriggerReason : r.TriggerReason[..997] + "...",
        TriggerJson = r.TriggerJson,
        TriggerKey = r.TriggerKey,
        ParametersJson = r.ParametersJson,
        CreatedAt = r.CreatedAt,
        StartedAt = r.StartedAt,
        FinishedAt = r.FinishedAt,
        Error = Bounded(r.Error),
        Attempt = r.Attempt,
        Owner = r.Owner,
        HeartbeatAt = r.HeartbeatAt,
        CancelRequested = r.CancelRequested,
        StartedBy = r.StartedBy,
    };

    private static PipelineStepEntity ToEntity(PipelineStepRecord s, int ordinal) => new()
    {
        RunId = s.RunId,
        Step = s.Step,
        Ordinal = ordinal,
        Kind = s.Kind,
        Status = (int)s.Status,
        Attempt = s.Attempt,
        StartedAt = s.StartedAt,
        FinishedAt = s.FinishedAt,
        NextAttemptAt = s.NextAttemptAt,
        InputsJson = s.InputsJson,
        OutputsJson = s.OutputsJson,
        Error = Bounded(s.Error),
        CacheKey = s.CacheKey,
        CachedFrom = s.CachedFrom,
        DecisionJson = s.DecisionJson,
    };
}
