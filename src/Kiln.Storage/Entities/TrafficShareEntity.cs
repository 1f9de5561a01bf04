namespace Kiln.Storage.Entities;

internal sealed class TrafficShareEntity
{
    public required string Replica { get; set; }

    public required string Deployment { get; set; }

    public required string Variant { get; set; }

    public long BucketStartMs { get; set; }

    public required byte[] Counts { get; set; }

    public DateTimeOffset WrittenAt { get; set; }
}
