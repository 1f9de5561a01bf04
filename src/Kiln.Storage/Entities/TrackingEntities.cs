namespace Kiln.Storage.Entities;

internal sealed class ExperimentEntity
{
    public int Id { get; set; }
    public required string Name { get; set; }
    public required string ArtifactLocation { get; set; }
    public string LifecycleStage { get; set; } = "active";
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public string TagsJson { get; set; } = "{}";
}

internal sealed class RunEntity
{
    public required string Id { get; set; }
    public int ExperimentId { get; set; }
    public required string Name { get; set; }
    public int Status { get; set; }
    public DateTimeOffset StartTime { get; set; }
    public DateTimeOffset? EndTime { get; set; }
    public string LifecycleStage { get; set; } = "active";
    public required string ArtifactUri { get; set; }
    public string TagsJson { get; set; } = "{}";
    public string InputsJson { get; set; } = "[]";
}

internal sealed class RunParamEntity
{
    public required string RunId { get; set; }
    public required string Key { get; set; }
    public required string Value { get; set; }
}

internal sealed class RunMetricEntity
{
    public long Id { get; set; }
    public required string RunId { get; set; }
    public required string Key { get; set; }
    public double Value { get; set; }
    public DateTimeOffset Timestamp { get; set; }
    public long Step { get; set; }
}

internal sealed class RunLatestMetricEntity
{
    public required string RunId { get; set; }
    public required string Key { get; set; }
    public double Value { get; set; }
    public DateTimeOffset Timestamp { get; set; }
    public long Step { get; set; }
}

internal sealed class RunArtifactEntity
{
    public required string RunId { get; set; }
    public required string Path { get; set; }
    public required string Sha256 { get; set; }
    public long Size { get; set; }
}
