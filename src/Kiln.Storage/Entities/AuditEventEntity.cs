namespace Kiln.Storage.Entities;

internal sealed class AuditEventEntity
{
    public long Id { get; set; }

    public DateTimeOffset At { get; set; }

    public required string Actor { get; set; }

    public string? ActorName { get; set; }

    public required string Action { get; set; }

    public required string Target { get; set; }

    public int Status { get; set; }

    public string? Address { get; set; }

    public string? RequestId { get; set; }

    public string? Replica { get; set; }

    public string? Before { get; set; }

    public string? After { get; set; }
}
