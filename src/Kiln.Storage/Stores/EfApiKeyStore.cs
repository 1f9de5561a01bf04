using Kiln.Core.Security;
using Kiln.Storage.Entities;
using Microsoft.EntityFrameworkCore;

namespace Kiln.Storage.Stores;

/// <summary>API keys on EF Core: only the hash of a key is stored.</summary>
public sealed class EfApiKeyStore(IDbContextFactory<KilnDbContext> contexts, TimeProvider time) : IApiKeyStore
{
    public async Task CreateAsync(ApiKeyInfo key, string hash, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        db.ApiKeys.Add(new ApiKeyEntity
        {
            Id = key.Id,
            Name = key.Name,
            Role = (int)key.Role,
            Prefix = key.Prefix,
            Hash = hash,
            CreatedAt = key.CreatedAt,
            ExpiresAt = key.ExpiresAt,
            Deployments = key.Deployments is null ? null : string.Join(',', key.Deployments),
        });
        await db.SaveChangesAsync(cancellationToken);
    }

    public async Task<ApiKeyInfo?> FindActiveByHashAsync(string hash, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var entity = await db.ApiKeys.AsNoTracking().SingleOrDefaultAsync(k => k.Hash == hash && k.RevokedAt == null, cancellationToken);
        return entity is null ? null : ToInfo(entity);
    }

    public async Task<IReadOnlyList<ApiKeyInfo>> ListAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var keys = await db.ApiKeys.AsNoTracking().OrderBy(k => k.CreatedAt).ToListAsync(cancellationToken);
        return keys.Select(ToInfo).ToArray();
    }

    public async Task<bool> RevokeAsync(string id, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var entity = await db.ApiKeys.SingleOrDefaultAsync(k => k.Id == id, cancellationToken);
        if (entity is null)
        {
            return false;
        }

        entity.RevokedAt ??= time.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
        return true;
    }

    public async Task<bool> SetExpiryAsync(string id, DateTimeOffset? expiresAt, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.ApiKeys.Where(k => k.Id == id).ExecuteUpdateAsync(set => set.SetProperty(k => k.ExpiresAt, expiresAt), cancellationToken) == 1;
    }

    public async Task<ApiKeyInfo?> GetAsync(string id, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var entity = await db.ApiKeys.AsNoTracking().SingleOrDefaultAsync(k => k.Id == id, cancellationToken);
        return entity is null ? null : ToInfo(entity);
    }

    public async Task<bool> AnyAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.ApiKeys.AnyAsync(cancellationToken);
    }

    private static ApiKeyInfo ToInfo(ApiKeyEntity entity) => new()
    {
        Id = entity.Id,
        Name = entity.Name,
        Role = (KilnRole)entity.Role,
        Prefix = entity.Prefix,
        CreatedAt = entity.CreatedAt,
        RevokedAt = entity.RevokedAt,
        ExpiresAt = entity.ExpiresAt,
        Deployments = entity.Deployments?.Split(',', StringSplitOptions.RemoveEmptyEntries),
    };
}
