namespace Kiln.Storage.Entities;

internal sealed class LeaseEntity
{
    public required string Name { get; set; }

    public required string Holder { get; set; }

    public DateTimeOffset AcquiredAt { get; set; }

    public DateTimeOffset ExpiresAt { get; set; }
}
