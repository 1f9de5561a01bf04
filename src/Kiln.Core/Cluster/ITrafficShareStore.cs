namespace Kiln.Core.Cluster;

/// <summary>
/// One replica's traffic in one time bucket of one deployment variant: requests, server and client errors,
/// and the latency histogram's counts (Kiln's fixed latency buckets, as little-endian 64-bit integers).
/// </summary>
/// <param name="Replica">The replica that served it.</param>
/// <param name="Deployment">The deployment.</param>
/// <param name="Variant">The variant ("" when none).</param>
/// <param name="BucketStartMs">The bucket's start, Unix milliseconds.</param>
/// <param name="Counts">Requests, 5xx, 4xx, then the latency histogram.</param>
public sealed record TrafficShare(string Replica, string Deployment, string Variant, long BucketStartMs, long[] Counts);

/// <summary>Where replicas publish their recent traffic, so decisions (canary analysis, alerts) see all of it.</summary>
public interface ITrafficShareStore
{
    /// <summary>Stores (replacing) this replica's buckets.</summary>
    Task PublishAsync(string replica, IReadOnlyList<TrafficShare> buckets, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Other replicas' buckets starting at or after <paramref name="bucketsSince"/> and written at or after <paramref name="writtenSince"/>.</summary>
    Task<IReadOnlyList<TrafficShare>> ReadOthersAsync(string replica, DateTimeOffset bucketsSince, DateTimeOffset writtenSince, CancellationToken cancellationToken);
}
