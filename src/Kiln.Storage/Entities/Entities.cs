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

/// <summary>One move of an alias: where it pointed before (null: it was new) and after (null: it was deleted).</summary>
internal sealed class ModelAliasEventEntity
{
    public long Id { get; set; }
    public required string ModelName { get; set; }
    public required string Alias { get; set; }
    public int? FromVersion { get; set; }
    public int? ToVersion { get; set; }
    public DateTimeOffset At { get; set; }
}

internal sealed class DeploymentEntity
{
    public required string Name { get; set; }
    public required string VariantsJson { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public int Revision { get; set; }
    public double LogSampleRate { get; set; } = 1.0;
    public string? RoutingField { get; set; }
    public int? BatchMaxRows { get; set; }
    public int? BatchMaxDelayMicroseconds { get; set; }
    public bool ReferenceRuntime { get; set; }
    public string? CanaryJson { get; set; }
}

internal sealed class DeploymentRevisionEntity
{
    public required string DeploymentName { get; set; }
    public int Number { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public required string Actor { get; set; }
    public required string Change { get; set; }
    public required string Reason { get; set; }
    public required string VariantsJson { get; set; }
    public double LogSampleRate { get; set; }
    public string? RoutingField { get; set; }
    public int? BatchMaxRows { get; set; }
    public int? BatchMaxDelayMicroseconds { get; set; }
    public bool ReferenceRuntime { get; set; }
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
    public DateTimeOffset? ExpiresAt { get; set; }

    /// <summary>The deployments the key is limited to, comma-separated; null for all.</summary>
    public string? Deployments { get; set; }
}
