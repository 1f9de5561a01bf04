using Amazon.S3;
using Amazon.S3.Model;
using Kiln.Storage.Artifacts;

namespace Kiln.Storage.Tests.Support;

/// <summary>A bucket of its own on the test S3 server (<c>KILN_TEST_S3</c>), emptied and removed at the end.</summary>
public sealed class S3TestBucket : IAsyncLifetime
{
    private readonly AmazonS3Client _client = Connection.CreateClient();

    public static S3Connection Connection =>
        new(TestServers.S3 ?? throw new InvalidOperationException("KILN_TEST_S3 is not set: start the server with tools/test-services/s3.sh start."),
            Region: null, ForcePathStyle: true, AccessKeyId: "S3RVER", SecretAccessKey: "S3RVER");

    public string Name { get; } = "kiln-test-" + Guid.NewGuid().ToString("N")[..16];

    /// <summary>A store in this bucket under <paramref name="prefix"/>, with its own client.</summary>
    public S3ArtifactStore Store(string prefix = "", int partSize = S3ArtifactStore.DefaultPartSize, long maxBytes = S3ArtifactStore.MaxCopyBytes) =>
        new(Connection.CreateClient(), Name, prefix, partSize, maxBytes);

    /// <summary>Every key in the bucket, sorted.</summary>
    public async Task<IReadOnlyList<string>> KeysAsync()
    {
        var keys = new List<string>();
        var request = new ListObjectsV2Request { BucketName = Name };
        ListObjectsV2Response response;
        do
        {
            response = await _client.ListObjectsV2Async(request);
            keys.AddRange((response.S3Objects ?? []).Select(o => o.Key));
            request.ContinuationToken = response.NextContinuationToken;
        }
        while (response.IsTruncated == true);

        return keys.Order(StringComparer.Ordinal).ToArray();
    }

    public async Task InitializeAsync() => await _client.PutBucketAsync(Name);

    public async Task DisposeAsync()
    {
        try
        {
            foreach (var key in await KeysAsync())
            {
                await _client.DeleteObjectAsync(Name, key);
            }

            await _client.DeleteBucketAsync(Name);
        }
        finally
        {
            _client.Dispose();
        }
    }
}
