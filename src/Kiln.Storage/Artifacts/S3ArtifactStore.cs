using System.Buffers;
using System.Net;
using System.Security.Cryptography;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Kiln.Core;
using Kiln.Core.Errors;
using Kiln.Core.Packaging;

namespace Kiln.Storage.Artifacts;

/// <summary>
/// Content-addressed objects in an S3 bucket: <c>{prefix}/sha256/ab/abcdef…</c>, the folder store's
/// layout. Uploads stream through one pooled part buffer while they are hashed: content that fits
/// one part goes up in a single PutObject; longer content goes part by part into a multipart upload
/// under <c>{prefix}/staging/</c>, which a server-side copy then moves to its address. The copy is a
/// plain CopyObject, so one artifact is at most 5 GiB (<see cref="MaxCopyBytes"/>).
/// </summary>
public sealed class S3ArtifactStore : IArtifactStore, IDisposable
{
    /// <summary>The part size: larger content uses a multipart upload. S3 needs parts of at least 5 MiB.</summary>
    public const int DefaultPartSize = 8 * 1024 * 1024;

    /// <summary>The largest object CopyObject copies in one request (UploadPartCopy is not used: s3rver lacks it).</summary>
    public const long MaxCopyBytes = 5L * 1024 * 1024 * 1024;

    private readonly IAmazonS3 _client;
    private readonly string _bucket;
    private readonly string _prefix;
    private readonly int _partSize;
    private readonly long _maxBytes;

    /// <summary>
    /// A store in <paramref name="bucket"/> under <paramref name="prefix"/> (empty for the bucket's root).
    /// It owns <paramref name="client"/> and disposes it. <paramref name="partSize"/> and
    /// <paramref name="maxBytes"/> are smaller only in tests.
    /// </summary>
    public S3ArtifactStore(IAmazonS3 client, string bucket, string prefix, int partSize = DefaultPartSize, long maxBytes = MaxCopyBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(partSize, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxBytes, MaxCopyBytes);
        _client = client;
        _bucket = bucket;
        _prefix = prefix.Length == 0 ? "" : prefix.Trim('/') + "/";
        _partSize = partSize;
        _maxBytes = maxBytes;
    }

    /// <summary>Where the artifacts live, for the start-up log: <c>s3://bucket/prefix</c>.</summary>
    public override string ToString() => $"s3://{_bucket}/{_prefix}";

    public async Task<(string Sha256, long Size)> PutAsync(Stream content, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(_partSize);
        try
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var filled = await FillAsync(content, buffer, hash, cancellationToken);
            if (filled < _partSize)
            {
                var sha = Convert.ToHexStringLower(hash.GetHashAndReset());
                if (!await ExistsAsync(sha, cancellationToken))
                {
                    await _client.PutObjectAsync(new PutObjectRequest
                    {
                        BucketName = _bucket,
                        Key = KeyOf(sha),
                        InputStream = new MemoryStream(buffer, 0, filled, writable: false),
                        UseChunkEncoding = false,
                    }, cancellationToken);
                }

                return (sha, filled);
            }

            return await PutMultipartAsync(content, buffer, filled, hash, cancellationToken);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public async Task<Stream> OpenAsync(string sha256, CancellationToken cancellationToken)
    {
        var key = KeyOf(sha256);
        try
        {
            return new S3ObjectStream(await _client.GetObjectAsync(_bucket, key, cancellationToken));
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound && e.ErrorCode == "NoSuchKey")
        {
            throw KilnException.NotFound("Artifact", sha256);
        }
    }

    public async Task<bool> ExistsAsync(string sha256, CancellationToken cancellationToken)
    {
        var key = KeyOf(sha256);
        try
        {
            await _client.GetObjectMetadataAsync(_bucket, key, cancellationToken);
            return true;
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    public void Dispose() => _client.Dispose();

    /// <summary>
    /// Uploads the rest of the content as parts of a staging object, then copies it to its address
    /// (unless that already holds the same content) and deletes the staging object. The upload is
    /// aborted on any failure, so no parts linger.
    /// </summary>
    private async Task<(string Sha256, long Size)> PutMultipartAsync(
        Stream content, byte[] buffer, int filled, IncrementalHash hash, CancellationToken cancellationToken)
    {
        var staging = $"{_prefix}staging/{Guid.NewGuid():N}";
        var upload = await _client.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest { BucketName = _bucket, Key = staging }, cancellationToken);
        var parts = new List<PartETag>();
        long size = 0;
        try
        {
            while (filled > 0)
            {
                size += filled;
                if (size > _maxBytes)
                {
                    throw new KilnException(KilnErrorKind.PayloadTooLarge, $"An artifact stored on S3 may be at most {_maxBytes} bytes.");
                }

                var number = parts.Count + 1;
                var part = await _client.UploadPartAsync(new UploadPartRequest
                {
                    BucketName = _bucket,
                    Key = staging,
                    UploadId = upload.UploadId,
                    PartNumber = number,
                    InputStream = new MemoryStream(buffer, 0, filled, writable: false),
                    PartSize = filled,
                    UseChunkEncoding = false,
                }, cancellationToken);
                parts.Add(new PartETag(number, part.ETag));
                filled = filled < _partSize ? 0 : await FillAsync(content, buffer, hash, cancellationToken);
            }

            await _client.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
            {
                BucketName = _bucket,
                Key = staging,
                UploadId = upload.UploadId,
                PartETags = parts,
            }, cancellationToken);
        }
        catch
        {
            await AbortAsync(staging, upload.UploadId);
            throw;
        }

        try
        {
            var sha = Convert.ToHexStringLower(hash.GetHashAndReset());
            if (!await ExistsAsync(sha, cancellationToken))
            {
                await _client.CopyObjectAsync(new CopyObjectRequest
                {
                    SourceBucket = _bucket,
                    SourceKey = staging,
                    DestinationBucket = _bucket,
                    DestinationKey = KeyOf(sha),
                }, cancellationToken);
            }

            return (sha, size);
        }
        finally
        {
            await _client.DeleteObjectAsync(_bucket, staging, CancellationToken.None);
        }
    }

    private async Task AbortAsync(string key, string uploadId)
    {
        try
        {
            await _client.AbortMultipartUploadAsync(_bucket, key, uploadId, CancellationToken.None);
        }
        catch (AmazonServiceException)
        {
            // The original failure matters more; a bucket lifecycle rule removes what is left (docs/operations.md).
        }
    }

    /// <summary>Reads until the part buffer is full or the content ends, hashing what it reads; returns the bytes read.</summary>
    private async Task<int> FillAsync(Stream content, byte[] buffer, IncrementalHash hash, CancellationToken cancellationToken)
    {
        var filled = 0;
        int read;
        while (filled < _partSize && (read = await content.ReadAsync(buffer.AsMemory(filled, _partSize - filled), cancellationToken)) > 0)
        {
            hash.AppendData(buffer, filled, read);
            filled += read;
        }

        return filled;
    }

    private string KeyOf(string sha256) => _prefix + ArtifactAddress.RelativeKey(sha256);
}
