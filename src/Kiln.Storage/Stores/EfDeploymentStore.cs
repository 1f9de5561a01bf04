using Kiln.Core;
using Kiln.Core.Deployments;
using Kiln.Storage.Entities;
using Microsoft.EntityFrameworkCore;

namespace Kiln.Storage.Stores;

/// <summary>
/// Deployments on EF Core. Every save appends a revision in the same transaction; the revision is a
/// concurrency token, so two writers cannot both win.
/// </summary>
public sealed class EfDeploymentStore(IDbContextFactory<KilnDbContext> contexts, TimeProvider time) : IDeploymentStore
{
    public async Task<IReadOnlyList<Deployment>> ListAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var entities = await db.Deployments.AsNoTracking().OrderBy(d => d.Name).ToListAsync(cancellationToken);
        return entities.Select(ToDeployment).ToArray();
    }

    public async Task<Deployment?> GetAsync(string name, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var entity = await db.Deployments.AsNoTracking().SingleOrDefaultAsync(d => d.Name == name, cancellationToken);
        return entity is null ? null : ToDeployment(entity);
    }

    public async Task<Deployment> SaveAsync(DeploymentChange change, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var now = time.GetUtcNow();
        var variants = StoredJson.Write(change.Variants);
        var entity = await db.Deployments.SingleOrDefaultAsync(d => d.Name == change.Name, cancellationToken);
        if (change.ExpectedRevision is { } expected && (entity?.Revision ?? 0) != expected)
        {
            throw new KilnException(Core.Errors.KilnErrorKind.Conflict,
                $"Deployment '{change.Name}' is at revision {entity?.Revision ?? 0}, not {expected}: another replica changed it meanwhile; nothing was changed, retry.");
        }

        if (entity is null)
        {
            entity = new DeploymentEntity { Name = change.Name, VariantsJson = variants, CreatedAt = now, Revision = 0 };
            db.Deployments.Add(entity);
        }

        // History survives a delete and re-create: the next number follows the last one kept.
        var last = await db.DeploymentRevisions.Where(r => r.DeploymentName == change.Name).MaxAsync(r => (int?)r.Number, cancellationToken) ?? 0;
        entity.VariantsJson = variants;
        entity.UpdatedAt = now;
        entity.LogSampleRate = change.Settings.LogSampleRate;
        entity.RoutingField = change.Settings.RoutingField;
        entity.BatchMaxRows = change.Settings.Batching?.MaxBatchRows;
        entity.BatchMaxDelayMicroseconds = change.Settings.Batching?.MaxDelayMicroseconds;
        entity.ReferenceRuntime = change.Settings.ReferenceRuntime;
        entity.CanaryJson = StoredJson.Write(change.Canary);
        entity.Revision = Math.Max(entity.Revision, last) + 1;
        db.DeploymentRevisions.Add(new DeploymentRevisionEntity
        {
            DeploymentName = change.Name,
            Number = entity.Revision,
            CreatedAt = now,
            Actor = change.Actor,
            Change = change.Change,
            Reason = change.Reason,
            VariantsJson = variants,
            LogSampleRate = change.Settings.LogSampleRate,
            RoutingField = change.Settings.RoutingField,
            BatchMaxRows = change.Settings.Batching?.MaxBatchRows,
            BatchMaxDelayMicroseconds = change.Settings.Batching?.MaxDelayMicroseconds,
            ReferenceRuntime = change.Settings.ReferenceRuntime,
        });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            throw new KilnException(Core.Errors.KilnErrorKind.Conflict, $"Deployment '{change.Name}' changed at the same time; retry.");
        }

        return ToDeployment(entity);
    }

    public async Task<IReadOnlyList<DeploymentRevision>> HistoryAsync(string name, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var revisions = await db.DeploymentRevisions.AsNoTracking().Where(r => r.DeploymentName == name).OrderByDescending(r => r.Number).ToListAsync(cancellationToken);
        return revisions.Select(r => new DeploymentRevision(
            r.Number, r.CreatedAt, r.Actor, r.Change, r.Reason, StoredJson.ReadVariants(r.VariantsJson),
            new DeploymentSettings(r.LogSampleRate, r.RoutingField, Batching(r.BatchMaxRows, r.BatchMaxDelayMicroseconds), r.ReferenceRuntime))).ToArray();
    }

    public async Task<bool> DeleteAsync(string name, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Deployments.Where(d => d.Name == name).ExecuteDeleteAsync(cancellationToken) > 0;
    }

    private static Deployment ToDeployment(DeploymentEntity entity) => new()
    {
        Name = entity.Name,
        Variants = StoredJson.ReadVariants(entity.VariantsJson),
        CreatedAt = entity.CreatedAt,
        UpdatedAt = entity.UpdatedAt,
        Revision = entity.Revision,
        LogSampleRate = entity.LogSampleRate,
        RoutingField = entity.RoutingField,
        Batching = Batching(entity.BatchMaxRows, entity.BatchMaxDelayMicroseconds),
        ReferenceRuntime = entity.ReferenceRuntime,
        Canary = StoredJson.ReadCanary(entity.CanaryJson),
    };

    private static BatchingPolicy? Batching(int? maxRows, int? maxDelayMicroseconds) =>
        maxRows is { } rows && maxDelayMicroseconds is { } delay ? new BatchingPolicy(rows, delay) : null;
}
