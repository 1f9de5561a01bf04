using Amazon.S3;
using Kiln.Storage.Artifacts;

namespace Kiln.Server.Tests.Support;

/// <summary>
/// The S3-compatible server test.sh starts (<c>KILN_TEST_S3</c>, its endpoint URL; s3rver's
/// credentials). Without it an <see cref="S3FactAttribute"/> test is skipped with the reason, except
/// under <c>CI=true</c>, where it runs and fails: CI never skips. (Kiln.Storage.Tests has the same gate.)
/// </summary>
public static class S3TestServer
{
    public static string? Endpoint => Environment.GetEnvironmentVariable("KILN_TEST_S3") is { Length: > 0 } value ? value : null;

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

    internal static string? SkipReason =>
        Endpoint is null && !string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase)
            ? "SKIPPED: KILN_TEST_S3 is not set, so there is no S3 server to test against. Run ./test.sh, which starts one (under CI=true this test fails instead)."
            : null;
}

/// <summary>A fact that needs the test S3-compatible server.</summary>
public sealed class S3FactAttribute : FactAttribute
{
    public S3FactAttribute() => Skip = S3TestServer.SkipReason;
}
