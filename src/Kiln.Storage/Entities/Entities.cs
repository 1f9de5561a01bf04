namespace Kiln.Storage.Entities;

internal sealed class ModelEntity
{
    public required string Name { get; set; }
    public string? Description { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public int LatestVersion { get; set; }
    public string TagsJson { get; set; } = "{}";
}

internal sealed class ModelVersionEntity
{
    public required string ModelName { get; set; }
    public int Version { get; set; }
    public string? Description { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public required string ManifestJson { get; set; }
    public string TagsJson { get; set; } = "{}";
}

internal sealed class ModelAliasEntity
{
    public required string ModelName { get; set; }
    public required string Alias { get; set; }
    public int Version { get; set; }
}

internal sealed class DeploymentEntity
{
    public required string Name { get; set; }
    public required string VariantsJson { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public int Revision { get; set; }
    public double LogSampleRate { get; set; } = 1.0;
}

internal sealed class ApiKeyEntity
{
    public required string Id { get; set; }
    public required string Name { get; set; }
    public int Role { get; set; }
    public required string Prefix { get; set; }
    public required string Hash { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }
}
