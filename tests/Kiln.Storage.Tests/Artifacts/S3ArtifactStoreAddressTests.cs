using Amazon.Runtime;
using Amazon.S3;
using Kiln.Core;
using Kiln.Core.Errors;
using Kiln.Storage.Artifacts;

namespace Kiln.Storage.Tests.Artifacts;

/// <summary>A malformed address is refused before any request: the client here points at a closed port.</summary>
public sealed class S3ArtifactStoreAddressTests
{
    [Theory]
    [InlineData("abc")]
    [InlineData("E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855")]
    [InlineData("../../e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852")]
    public async Task OpenOrExists_MalformedSha_IsInvalid(string sha)
    {
        using var store = new S3ArtifactStore(
            new AmazonS3Client(new BasicAWSCredentials("none", "none"), new AmazonS3Config { ServiceURL = "http://127.0.0.1:9", ForcePathStyle = true }),
            "bucket", "prefix");

        var open = await Assert.ThrowsAsync<KilnException>(() => store.OpenAsync(sha, CancellationToken.None));
        var exists = await Assert.ThrowsAsync<KilnException>(() => store.ExistsAsync(sha, CancellationToken.None));

        Assert.Equal((KilnErrorKind.Invalid, KilnErrorKind.Invalid), (open.Kind, exists.Kind));
    }
}
