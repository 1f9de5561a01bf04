using Amazon.S3;
using Kiln.Storage.Artifacts;

namespace Kiln.Server.Tests.Support;

/// <summary>
/// The S3-compatible server test.sh starts (<c>KILN_TEST_S3</c>, its endpoint URL; s3rver's
/// credentials). Tests that need it carry <c>[S3Fact]</c> (Kiln.Storage.Tests' TestServers, linked in).
/// </summary>
public static class S3TestServer
{
    public static string? Endpoint => Kiln.Storage.Tests.Support.TestServers.S3;

    public static S3Connection Connection =>
        new(Endpoint ?? throw new InvalidOperationException("KILN_TEST_S3 is not set: start the server with tools/test-services/s3.sh start."),
            Region: null, ForcePathStyle: true, AccessKeyId: "S3RVER", SecretAccessKey: "S3RVER");

    /// <summary>The settings that put a server's artifacts in <paramref name="bucket"/> under <paramref name="prefix"/>.</summary>
    public static Dictionary<string, string?> Settings(string bucket, string prefix) => new()
    {
        ["Kiln:Storage:Artifacts"] = $"s3://{bucket}/{prefix}",
        ["Kiln:Storage:S3:ServiceUrl"] = Endpoint,
        ["Kiln:Storage:S3:ForcePathStyle"] = "true",
        ["Kiln:Storage:S3:AccessKeyId"] = "S3RVER",
        ["Kiln:Storage:S3:SecretAccessKey"] = "S3RVER",
    };

    public static AmazonS3Client CreateClient() => Connection.CreateClient();
}
