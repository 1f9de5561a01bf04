using Kiln.Core;
using Kiln.Core.Packaging;
using Kiln.Core.Registry;
using Kiln.Storage.Entities;
using Microsoft.EntityFrameworkCore;

namespace Kiln.Storage.Stores;

/// <summary>The model registry on EF Core. Version numbers are assigned inside a transaction; a lost race is retried.</summary>
public sealed class EfModelRegistry(IDbContextFactory<KilnDbContext> contexts, TimeProvider time) : IModelRegistry
{
    private const int MaxAttempts = 5;

    public async Task<IReadOnlyList<RegisteredModel>> ListModelsAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var models = await db.Models.AsNoTracking().OrderBy(m => m.Name).ToListAsync(cancellationToken);
        var aliases = await db.ModelAliases.AsNoTracking().ToListAsync(cancellationToken);
        var byModel = aliases.ToLookup(a => a.ModelName, StringComparer.Ordinal);
        return models.Select(m => ToModel(m, byModel[m.Name])).ToArray();
    }

    public async Task<RegisteredModel?> GetModelAsync(string name, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var model = await db.Models.AsNoTracking().SingleOrDefaultAsync(m => m.Name == name, cancellationToken);
        if (model is null)
        {
            return null;
        }

        var aliases = await db.ModelAliases.AsNoTracking().Where(a => a.ModelName == name).ToListAsync(cancellationToken);
        return ToModel(model, aliases);
    }

    public async Task<IReadOnlyList<ModelVersion>> ListVersionsAsync(string name, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var versions = await db.ModelVersions.AsNoTracking().Where(v => v.ModelName == name).OrderByDescending(v => v.Version).ToListAsync(cancellationToken);
        var aliases = await db.ModelAliases.AsNoTracking().Where(a => a.ModelName == name).ToListAsync(cancellationToken);
        return versions.Select(v => ToVersion(v, aliases)).ToArray();
    }

    public async Task<ModelVersion?> GetVersionAsync(string name, int version, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await LoadVersionAsync(db, name, version, cancellationToken);
    }

    public async Task<ModelVersion?> ResolveAsync(ModelReference reference, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        int? number = reference.Version;
        if (reference.Alias is { } alias)
        {
            number = (await db.ModelAliases.AsNoTracking()
                .SingleOrDefaultAsync(a => a.ModelName == reference.ModelName && a.Alias == alias, cancellationToken))?.Version;
        }
        else if (number is null)
        {
            number = (await db.Models.AsNoTracking().SingleOrDefaultAsync(m => m.Name == reference.ModelName, cancellationToken))?.LatestVersion;
        }

        return number is { } n ? await LoadVersionAsync(db, reference.ModelName, n, cancellationToken) : null;
    }

    public async Task<ModelVersion> CreateVersionAsync(NewModelVersion version, CancellationToken cancellationToken)
    {
        ModelName.Validate(version.ModelName, "name");
        if (version.Alias is { } alias)
        {
            ModelName.Validate(alias, "alias");
        }

        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await TryCreateVersionAsync(version, cancellationToken);
            }
            catch (DbUpdateException) when (attempt < MaxAttempts)
            {
                // Another writer took the same number first; read the new latest and try again.
            }
        }
    }

    private async Task<ModelVersion> TryCreateVersionAsync(NewModelVersion version, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var now = time.GetUtcNow();
        var model = await db.Models.SingleOrDefaultAsync(m => m.Name == version.ModelName, cancellationToken);
        if (model is null)
        {
            model = new ModelEntity { Name = version.ModelName, CreatedAt = now, UpdatedAt = now };
            db.Models.Add(model);
        }

        model.LatestVersion++;
        model.UpdatedAt = now;
        var entity = new ModelVersionEntity
        {
            ModelName = version.ModelName,
            Version = model.LatestVersion,
            Description = version.Description,
            CreatedAt = now,
            ManifestJson = StoredJson.Write(version.Manifest),
            TagsJson = StoredJson.Write(version.Tags),
        };
        db.ModelVersions.Add(entity);
        await db.SaveChangesAsync(cancellationToken);
        if (version.Alias is { } alias)
        {
            await UpsertAliasAsync(db, version.ModelName, alias, entity.Version, cancellationToken);
            await db.SaveChangesAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return (await LoadVersionAsync(db, version.ModelName, entity.Version, cancellationToken))!;
    }

    public async Task SetAliasAsync(string name, string alias, int version, CancellationToken cancellationToken)
    {
        ModelName.Validate(alias, "alias");
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var model = await db.Models.SingleOrDefaultAsync(m => m.Name == name, cancellationToken)
            ?? throw KilnException.NotFound("Model", name);
        if (!await db.ModelVersions.AnyAsync(v => v.ModelName == name && v.Version == version, cancellationToken))
        {
            throw KilnException.NotFound("Model version", $"{name}/{version}");
        }

        await UpsertAliasAsync(db, name, alias, version, cancellationToken);
        model.UpdatedAt = time.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    public async Task<bool> DeleteAliasAsync(string name, string alias, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var existing = await db.ModelAliases.SingleOrDefaultAsync(a => a.ModelName == name && a.Alias == alias, cancellationToken);
        if (existing is null)
        {
            return false;
        }

        db.ModelAliases.Remove(existing);
        db.ModelAliasEvents.Add(new ModelAliasEventEntity { ModelName = name, Alias = alias, FromVersion = existing.Version, ToVersion = null, At = time.GetUtcNow() });
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    public async Task<IReadOnlyList<AliasMove>> AliasHistoryAsync(string name, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var events = await db.ModelAliasEvents.AsNoTracking().Where(e => e.ModelName == name)
            .OrderByDescending(e => e.At).ThenByDescending(e => e.Id).Take(1000).ToListAsync(cancellationToken);
        return events.Select(e => new AliasMove(e.Alias, e.FromVersion, e.ToVersion, e.At)).ToArray();
    }

    public async Task<RegisteredModel> CreateModelAsync(string name, string? description, IReadOnlyDictionary<string, string>? tags, CancellationToken cancellationToken)
    {
        ModelName.Validate(name, "name");
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        if (await db.Models.AnyAsync(m => m.Name == name, cancellationToken))
        {
            throw KilnException.Conflict($"Model '{name}' already exists.");
        }

        var now = time.GetUtcNow();
        var entity = new ModelEntity { Name = name, Description = description, CreatedAt = now, UpdatedAt = now, TagsJson = StoredJson.Write(tags) };
        db.Models.Add(entity);
        await db.SaveChangesAsync(cancellationToken);
        return ToModel(entity, []);
    }

    public async Task<bool> DeleteModelAsync(string name, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.ModelAliases.Where(a => a.ModelName == name).ExecuteDeleteAsync(cancellationToken);
        await db.ModelAliasEvents.Where(e => e.ModelName == name).ExecuteDeleteAsync(cancellationToken);
        await db.ModelVersions.Where(v => v.ModelName == name).ExecuteDeleteAsync(cancellationToken);
        var deleted = await db.Models.Where(m => m.Name == name).ExecuteDeleteAsync(cancellationToken) > 0;
        await transaction.CommitAsync(cancellationToken);
        return deleted;
    }

    public async Task<ModelVersion> SetVersionDescriptionAsync(string name, int version, string? description, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var entity = await db.ModelVersions.SingleOrDefaultAsync(v => v.ModelName == name && v.Version == version, cancellationToken)
            ?? throw KilnException.NotFound("Model version", $"{name}/{version}");
        entity.Description = description;
        await db.SaveChangesAsync(cancellationToken);
        return (await LoadVersionAsync(db, name, version, cancellationToken))!;
    }

    public async Task<bool> DeleteVersionAsync(string name, int version, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.ModelAliases.Where(a => a.ModelName == name && a.Version == version).ExecuteDeleteAsync(cancellationToken);
        var deleted = await db.ModelVersions.Where(v => v.ModelName == name && v.Version == version).ExecuteDeleteAsync(cancellationToken) > 0;
        if (deleted)
        {
            await db.Models.Where(m => m.Name == name).ExecuteUpdateAsync(u => u.SetProperty(m => m.UpdatedAt, time.GetUtcNow()), cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return deleted;
    }

    public async Task SetDescriptionAsync(string name, string? description, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var model = await db.Models.SingleOrDefaultAsync(m => m.Name == name, cancellationToken)
            ?? throw KilnException.NotFound("Model", name);
        model.Description = description;
        model.UpdatedAt = time.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
    }

    public async Task<ModelVersion> SetProfileAsync(string model, int version, DataProfile profile, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(profile);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var entity = await db.ModelVersions.SingleOrDefaultAsync(v => v.ModelName == model && v.Version == version, cancellationToken)
            ?? throw KilnException.NotFound("Model version", $"{model}/{version}");
        entity.ManifestJson = StoredJson.Write(StoredJson.ReadManifest(entity.ManifestJson) with { Profile = profile });
        await db.SaveChangesAsync(cancellationToken);
        return (await LoadVersionAsync(db, model, version, cancellationToken))!;
    }

    private async Task UpsertAliasAsync(KilnDbContext db, string name, string alias, int version, CancellationToken cancellationToken)
    {
        var existing = await db.ModelAliases.SingleOrDefaultAsync(a => a.ModelName == name && a.Alias == alias, cancellationToken);
        if (existing is null)
        {
            db.ModelAliases.Add(new ModelAliasEntity { ModelName = name, Alias = alias, Version = version });
        }
        else if (existing.Version == version)
        {
            return;
        }

        db.ModelAliasEvents.Add(new ModelAliasEventEntity { ModelName = name, Alias = alias, FromVersion = existing?.Version, ToVersion = version, At = time.GetUtcNow() });
        if (existing is not null)
        {
            existing.Version = version;
        }
    }

    private static async Task<ModelVersion?> LoadVersionAsync(KilnDbContext db, string name, int version, CancellationToken cancellationToken)
    {
        var entity = await db.ModelVersions.AsNoTracking().SingleOrDefaultAsync(v => v.ModelName == name && v.Version == version, cancellationToken);
        if (entity is null)
        {
            return null;
        }

        var aliases = await db.ModelAliases.AsNoTracking().Where(a => a.ModelName == name && a.Version == version).ToListAsync(cancellationToken);
        return ToVersion(entity, aliases);
    }

    private static RegisteredModel ToModel(ModelEntity model, IEnumerable<ModelAliasEntity> aliases) => new()
    {
        Name = model.Name,
        Description = model.Description,
        CreatedAt = model.CreatedAt,
        UpdatedAt = model.UpdatedAt,
        LatestVersion = model.LatestVersion,
        Aliases = aliases.OrderBy(a => a.Alias, StringComparer.Ordinal).ToDictionary(a => a.Alias, a => a.Version),
        Tags = StoredJson.ReadTags(model.TagsJson),
    };

    private static ModelVersion ToVersion(ModelVersionEntity version, IEnumerable<ModelAliasEntity> aliases) => new()
    {
        ModelName = version.ModelName,
        Version = version.Version,
        Description = version.Description,
        CreatedAt = version.CreatedAt,
        Manifest = StoredJson.ReadManifest(version.ManifestJson),
        Tags = StoredJson.ReadTags(version.TagsJson),
        Aliases = aliases.Where(a => a.Version == version.Version).Select(a => a.Alias).Order(StringComparer.Ordinal).ToArray(),
    };
}
