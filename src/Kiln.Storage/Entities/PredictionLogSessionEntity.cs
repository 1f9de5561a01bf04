namespace Kiln.Storage.Entities;

internal sealed class PredictionLogSessionEntity
{
    public required string Id { get; set; }

    public required string Replica { get; set; }

    public DateTimeOffset StartedAt { get; set; }

    public DateTimeOffset CheckpointAt { get; set; }

    public long Accepted { get; set; }

    public long Written { get; set; }

    public long Dropped { get; set; }

    public long Failed { get; set; }

    public DateTimeOffset? EndedAt { get; set; }

    public bool Crashed { get; set; }
}
