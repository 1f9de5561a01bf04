namespace Kiln.Storage.Entities;

internal sealed class PipelineVersionEntity
{
    public required string Pipeline { get; set; }
    public int Version { get; set; }
    public required string Source { get; set; }
    public required string Digest { get; set; }
    public string? Description { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public string? CreatedBy { get; set; }
}

internal sealed class PipelineRunEntity
{
    public required string Id { get; set; }
    public required string Pipeline { get; set; }
    public int Version { get; set; }
    public int Status { get; set; }
    public required string TriggerKind { get; set; }
    public required string TriggerReason { get; set; }
    public required string TriggerJson { get; set; }
    public string? TriggerKey { get; set; }
    public required string ParametersJson { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }
    public string? Error { get; set; }
    public int Attempt { get; set; }
    public string? Owner { get; set; }
    public DateTimeOffset? HeartbeatAt { get; set; }
    public bool CancelRequested { get; set; }
    public string? StartedBy { get; set; }
}

internal sealed class PipelineStepEntity
{
    public required string RunId { get; set; }
    public required string Step { get; set; }
    public int Ordinal { get; set; }
    public required string Kind { get; set; }
    public int Status { get; set; }
    public int Attempt { get; set; }
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }
    public DateTimeOffset? NextAttemptAt { get; set; }
    public string? InputsJson { get; set; }
    public string? OutputsJson { get; set; }
    public string? Error { get; set; }
    public string? CacheKey { get; set; }
    public string? CachedFrom { get; set; }
    public string? DecisionJson { get; set; }
}

internal sealed class PipelineLogEntity
{
    public long Id { get; set; }
    public required string RunId { get; set; }
    public required string Step { get; set; }
    public int Attempt { get; set; }
    public DateTimeOffset Time { get; set; }
    public required string Text { get; set; }
}
