using System.Buffers.Binary;
using Kiln.Core.Cluster;
using Kiln.Storage.Entities;
using Microsoft.EntityFrameworkCore;

namespace Kiln.Storage.Stores;

/// <summary>
/// Replicas' recent traffic on EF Core. Each replica writes only its own rows, so replacing them is a delete
/// and an insert in one transaction; rows older than an hour are removed by whoever writes.
/// </summary>
public sealed class EfTrafficShareStore(IDbContextFactory<KilnDbContext> contexts) : ITrafficShareStore
{
    private static readonly TimeSpan Kept = TimeSpan.FromHours(1) + TimeSpan.FromMinutes(5);

    public async Task PublishAsync(string replica, IReadOnlyList<TrafficShare> buckets, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var oldest = buckets.Count == 0 ? long.MaxValue : buckets.Min(b => b.BucketStartMs);
        await db.TrafficShares.Where(t => t.Replica == replica && t.BucketStartMs >= oldest).ExecuteDeleteAsync(cancellationToken);
        var expired = (now - Kept).ToUnixTimeMilliseconds();
        await db.TrafficShares.Where(t => t.BucketStartMs < expired).ExecuteDeleteAsync(cancellationToken);
        db.TrafficShares.AddRange(buckets.Select(b => new TrafficShareEntity
        {
            Replica = replica,
            Deployment = b.Deployment,
            Variant = b.Variant,
            BucketStartMs = b.BucketStartMs,
            Counts = ToBytes(b.Counts),
            WrittenAt = now,
        }));
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<TrafficShare>> ReadOthersAsync(string replica, DateTimeOffset bucketsSince, DateTimeOffset writtenSince, CancellationToken cancellationToken)
    {
        var since = bucketsSince.ToUnixTimeMilliseconds();
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var rows = await db.TrafficShares.AsNoTracking()
            .Where(t => t.Replica != replica && t.BucketStartMs >= since && t.WrittenAt >= writtenSince)
            .ToListAsync(cancellationToken);
        return rows.Select(r => new TrafficShare(r.Replica, r.Deployment, r.Variant, r.BucketStartMs, FromBytes(r.Counts))).ToArray();
    }

    private static byte[] ToBytes(long[] counts)
    {
        var bytes = new byte[counts.Length * sizeof(long)];
        for (var i = 0; i < counts.Length; i++)
        {
            BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(i * sizeof(long)), counts[i]);
        }

        return bytes;
    }

    private static long[] FromBytes(byte[] bytes)
    {
        var counts = new long[bytes.Length / sizeof(long)];
        for (var i = 0; i < counts.Length; i++)
        {
            counts[i] = BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(i * sizeof(long)));
        }

        return counts;
    }
}
