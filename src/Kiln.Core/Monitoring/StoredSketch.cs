namespace Kiln.Core.Monitoring;

/// <summary>The serialized feature and prediction profile of one version's traffic in one time bucket.</summary>
/// <param name="Deployment">The deployment.</param>
/// <param name="ModelName">The registered model.</param>
/// <param name="ModelVersion">The version.</param>
/// <param name="BucketStartMs">The bucket's start (Unix milliseconds).</param>
/// <param name="Rows">Rows profiled.</param>
/// <param name="Data">The sketch bytes (Kiln.Monitoring's profile sketch format).</param>
public sealed record StoredSketch(string Deployment, string ModelName, int ModelVersion, long BucketStartMs, long Rows, byte[] Data);

/// <summary>Per-bucket traffic profiles: mergeable, so any window is the merge of its buckets.</summary>
public interface ISketchStore
{
    /// <summary>Creates or replaces buckets.</summary>
    Task UpsertAsync(IReadOnlyList<StoredSketch> sketches, CancellationToken cancellationToken);

    /// <summary>Reads a deployment's buckets starting in [since, until), optionally of one version.</summary>
    Task<IReadOnlyList<StoredSketch>> ReadAsync(string deployment, DateTimeOffset since, DateTimeOffset until, int? modelVersion, CancellationToken cancellationToken);

    /// <summary>
    /// The sketch this store itself (this replica) stored for one bucket, or null: what a restarted process merges its
    /// new rows into, so that the first flush after a start does not replace the rows stored before it.
    /// </summary>
    Task<StoredSketch?> ReadOwnAsync(string deployment, string modelName, int modelVersion, long bucketStartMs, CancellationToken cancellationToken);
}
