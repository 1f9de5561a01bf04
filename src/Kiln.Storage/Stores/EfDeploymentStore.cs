using Kiln.Core.Deployments;
using Kiln.Storage.Entities;
using Microsoft.EntityFrameworkCore;

namespace Kiln.Storage.Stores;

/// <summary>Deployments on EF Core; the revision is a concurrency token, so two writers cannot both win.</summary>
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

    public async Task<Deployment> UpsertAsync(string name, IReadOnlyList<DeploymentVariant> variants, double logSampleRate, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var now = time.GetUtcNow();
        var entity = await db.Deployments.SingleOrDefaultAsync(d => d.Name == name, cancellationToken);
        if (entity is null)
        {
            entity = new DeploymentEntity { Name = name, VariantsJson = StoredJson.Write(variants), CreatedAt = now, UpdatedAt = now, Revision = 1, LogSampleRate = logSampleRate };
            db.Deployments.Add(entity);
        }
        else
        {
            entity.VariantsJson = StoredJson.Write(variants);
            entity.UpdatedAt = now;
            entity.LogSampleRate = logSampleRate;
            entity.Revision++;
        }

        await db.SaveChangesAsync(cancellationToken);
        return ToDeployment(entity);
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
    };
}
