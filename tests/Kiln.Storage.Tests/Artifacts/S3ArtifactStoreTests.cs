using System.Security.Cryptography;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Kiln.Core;
using Kiln.Core.Errors;
using Kiln.Storage.Artifacts;
using Kiln.Storage.Tests.Support;

namespace Kiln.Storage.Tests.Artifacts;

/// <summary>The S3 store against a real S3-compatible server; every test has a bucket of its own.</summary>
public sealed class S3ArtifactStoreTests : IAsyncLifetime
{
    private const int LargeSize = 20 * 1000 * 1000;

    private readonly S3TestBucket _bucket = new();

    public Task InitializeAsync() => TestServers.S3 is null ? Task.CompletedTask : _bucket.InitializeAsync();

    public Task DisposeAsync() => TestServers.S3 is null ? Task.CompletedTask : _bucket.DisposeAsync();

    [S3Fact]
    public async Task Put_SmallContent_RoundTripsUnderItsSha256()
    {
        using var store = _bucket.Store("models");
        var content = RandomNumberGenerator.GetBytes(3000);
        var expected = Convert.ToHexStringLower(SHA256.HashData(content));

        var (sha, size) = await store.PutAsync(new MemoryStream(content), CancellationToken.None);

        Assert.Equal((expected, 3000L), (sha, size));
        Assert.Equal(content, await ReadAllAsync(store, sha));
        Assert.True(await store.ExistsAsync(sha, CancellationToken.None));
        Assert.Equal([$"models/sha256/{sha[..2]}/{sha}"], await _bucket.KeysAsync());
    }

    [S3Fact]
    public async Task Put_EmptyContent_RoundTrips()
    {
        using var store = _bucket.Store();

        var (sha, size) = await store.PutAsync(new MemoryStream(), CancellationToken.None);

        Assert.Equal(("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", 0L), (sha, size));
        Assert.Empty(await ReadAllAsync(store, sha));
    }

    [S3Fact]
    public async Task Put_ContentOfSeveralParts_RoundTripsAndLeavesNoStagingObject()
    {
        using var store = _bucket.Store("p");

        var (sha, size) = await store.PutAsync(new GeneratedStream(LargeSize), CancellationToken.None);

        Assert.True(LargeSize > 2 * S3ArtifactStore.DefaultPartSize);
        Assert.Equal((GeneratedStream.Sha256Of(LargeSize), (long)LargeSize), (sha, size));
        await using (var stored = await store.OpenAsync(sha, CancellationToken.None))
        {
            Assert.Equal(sha, Convert.ToHexStringLower(await SHA256.HashDataAsync(stored)));
        }

        Assert.Equal([$"p/sha256/{sha[..2]}/{sha}"], await _bucket.KeysAsync());
    }

    [S3Fact]
    public async Task Put_ExactlyOnePart_RoundTripsThroughTheMultipartPath()
    {
        const int partSize = 5 * 1024 * 1024;
        using var store = _bucket.Store(partSize: partSize);

        var (sha, size) = await store.PutAsync(new GeneratedStream(partSize), CancellationToken.None);

        Assert.Equal((GeneratedStream.Sha256Of(partSize), (long)partSize), (sha, size));
        Assert.Equal([$"sha256/{sha[..2]}/{sha}"], await _bucket.KeysAsync());
    }

    [S3Fact]
    public async Task Put_SameContentTwice_StoresOneObject()
    {
        using var store = _bucket.Store("twice");
        var small = RandomNumberGenerator.GetBytes(100);

        var first = await store.PutAsync(new MemoryStream(small), CancellationToken.None);
        var second = await store.PutAsync(new MemoryStream(small), CancellationToken.None);
        var firstLarge = await store.PutAsync(new GeneratedStream(LargeSize), CancellationToken.None);
        var secondLarge = await store.PutAsync(new GeneratedStream(LargeSize), CancellationToken.None);

        Assert.Equal(first, second);
        Assert.Equal(firstLarge, secondLarge);
        Assert.Equal(
            new[] { first.Sha256, firstLarge.Sha256 }.Select(sha => $"twice/sha256/{sha[..2]}/{sha}").Order(StringComparer.Ordinal),
            await _bucket.KeysAsync());
    }

    [S3Fact]
    public async Task Open_MissingContent_IsNotFound()
    {
        using var store = _bucket.Store();
        var missing = new string('a', 64);

        var e = await Assert.ThrowsAsync<KilnException>(() => store.OpenAsync(missing, CancellationToken.None));

        Assert.Equal(KilnErrorKind.NotFound, e.Kind);
        Assert.False(await store.ExistsAsync(missing, CancellationToken.None));
    }

    [S3Fact]
    public async Task Stores_WithDifferentPrefixes_DoNotSeeEachOthersContent()
    {
        using var tenantA = _bucket.Store("tenant-a");
        using var tenantB = _bucket.Store("tenant-b/artifacts");
        using var root = _bucket.Store();

        var (sha, _) = await tenantA.PutAsync(new MemoryStream([1, 2, 3]), CancellationToken.None);

        Assert.True(await tenantA.ExistsAsync(sha, CancellationToken.None));
        Assert.False(await tenantB.ExistsAsync(sha, CancellationToken.None));
        Assert.False(await root.ExistsAsync(sha, CancellationToken.None));
        await Assert.ThrowsAsync<KilnException>(() => tenantB.OpenAsync(sha, CancellationToken.None));
        Assert.Equal([$"tenant-a/sha256/{sha[..2]}/{sha}"], await _bucket.KeysAsync());
    }

    [S3Fact]
    public async Task Put_LargerThanTheLimit_IsPayloadTooLargeAndStoresNothing()
    {
        const int partSize = 5 * 1024 * 1024;
        using var store = _bucket.Store(partSize: partSize, maxBytes: 2 * partSize);

        var e = await Assert.ThrowsAsync<KilnException>(() => store.PutAsync(new GeneratedStream(3 * partSize), CancellationToken.None));

        Assert.Equal(KilnErrorKind.PayloadTooLarge, e.Kind);
        Assert.Empty(await _bucket.KeysAsync());
    }

    [S3Fact]
    public async Task Put_PartFails_AbortsTheUploadAndStoresNothing()
    {
        var client = new FailingPartClient(failingPart: 2);
        using var store = new S3ArtifactStore(client, _bucket.Name, "abort");

        await Assert.ThrowsAsync<AmazonS3Exception>(() => store.PutAsync(new GeneratedStream(LargeSize), CancellationToken.None));

        Assert.Equal(1, client.Aborts);
        Assert.Empty(await _bucket.KeysAsync());
    }

    private static async Task<byte[]> ReadAllAsync(S3ArtifactStore store, string sha)
    {
        await using var stream = await store.OpenAsync(sha, CancellationToken.None);
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer);
        return buffer.ToArray();
    }

    /// <summary>A client whose upload of one part fails, and that counts the aborts it is asked for.</summary>
    private sealed class FailingPartClient(int failingPart) : AmazonS3Client(
        new BasicAWSCredentials("S3RVER", "S3RVER"),
        new AmazonS3Config { ServiceURL = TestServers.S3, ForcePathStyle = true, RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED })
    {
        public int Aborts { get; private set; }

        public override Task<UploadPartResponse> UploadPartAsync(UploadPartRequest request, CancellationToken cancellationToken = default) =>
            request.PartNumber == failingPart
                ? throw new AmazonS3Exception("The test fails this part.")
                : base.UploadPartAsync(request, cancellationToken);

        public override Task<AbortMultipartUploadResponse> AbortMultipartUploadAsync(
            string bucketName, string key, string uploadId, CancellationToken cancellationToken = default)
        {
            Aborts++;
            return base.AbortMultipartUploadAsync(bucketName, key, uploadId, cancellationToken);
        }
    }
}
