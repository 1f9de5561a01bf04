namespace Kiln.Server.Configuration;

/// <summary>
/// How to reach S3 when <c>Kiln:Storage:Artifacts</c> is an <c>s3://</c> URL (<c>Kiln:Storage:S3</c>).
/// Each value left out falls back to the standard AWS environment variables, then to the SDK's
/// defaults (shared profile, instance role).
/// </summary>
public sealed class S3StorageOptions
{
    /// <summary>An S3-compatible endpoint such as MinIO (default: <c>AWS_ENDPOINT_URL_S3</c>, <c>AWS_ENDPOINT_URL</c>, else AWS).</summary>
    public string? ServiceUrl { get; set; }

    /// <summary>The region (default: <c>AWS_REGION</c>, <c>AWS_DEFAULT_REGION</c>, the profile's).</summary>
    public string? Region { get; set; }

    /// <summary>Address buckets as <c>host/bucket</c> rather than <c>bucket.host</c>: MinIO and s3rver need it.</summary>
    public bool ForcePathStyle { get; set; }

    /// <summary>An access key id (default: <c>AWS_ACCESS_KEY_ID</c> and the rest of the SDK's credential chain).</summary>
    public string? AccessKeyId { get; set; }

    /// <summary>The secret of <see cref="AccessKeyId"/> (default: <c>AWS_SECRET_ACCESS_KEY</c>). Never logged.</summary>
    public string? SecretAccessKey { get; set; }
}
