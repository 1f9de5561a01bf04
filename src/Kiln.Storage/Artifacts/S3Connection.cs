using Amazon;
using Amazon.Runtime;
using Amazon.S3;

namespace Kiln.Storage.Artifacts;

/// <summary>
/// How to reach an S3-compatible service. Each value left out falls back to the standard AWS
/// environment variables (<see cref="WithEnvironmentDefaults"/>) and then to the SDK's own chain
/// (credentials from the environment, the shared profile or the instance role).
/// </summary>
public sealed record S3Connection(string? ServiceUrl, string? Region, bool ForcePathStyle, string? AccessKeyId, string? SecretAccessKey)
{
    private const string CopySourceHeader = "x-amz-copy-source";

    /// <summary>The endpoint and region the AWS variables name where this connection names none.</summary>
    public S3Connection WithEnvironmentDefaults(Func<string, string?> environment) => this with
    {
        ServiceUrl = Blank(ServiceUrl) ?? Blank(environment("AWS_ENDPOINT_URL_S3")) ?? Blank(environment("AWS_ENDPOINT_URL")),
        Region = Blank(Region) ?? Blank(environment("AWS_REGION")) ?? Blank(environment("AWS_DEFAULT_REGION")),
    };

    /// <summary>
    /// A client that S3-compatible servers understand as well as S3. Checksums are only sent where S3
    /// requires them (every artifact is addressed by its SHA-256 anyway), and the copy source goes
    /// with plain '/' (see <see cref="PlainCopySourceSlashes"/>).
    /// </summary>
    public AmazonS3Client CreateClient()
    {
        var config = new AmazonS3Config
        {
            ForcePathStyle = ForcePathStyle,
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        };
        if (Blank(ServiceUrl) is { } serviceUrl)
        {
            config.ServiceURL = serviceUrl;
            if (Blank(Region) is { } region)
            {
                config.AuthenticationRegion = region;
            }
        }
        else if (Blank(Region) is { } region)
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(region);
        }

        var client = Blank(AccessKeyId) is { } accessKeyId
            ? new AmazonS3Client(new BasicAWSCredentials(accessKeyId, SecretAccessKey ?? ""), config)
            : new AmazonS3Client(config);
        client.BeforeRequestEvent += PlainCopySourceSlashes;
        return client;
    }

    /// <summary>The endpoint, never the credentials: this is what the start-up log shows.</summary>
    public override string ToString() =>
        $"{Blank(ServiceUrl) ?? "AWS"} (region {Blank(Region) ?? "from the SDK defaults"}, {(ForcePathStyle ? "path-style" : "virtual-hosted")}, "
        + $"credentials {(Blank(AccessKeyId) is null ? "from the AWS default chain" : "from Kiln:Storage:S3")})";

    /// <summary>
    /// The SDK percent-encodes all of <c>x-amz-copy-source</c>, the '/' between bucket and key
    /// included. S3 and MinIO decode that, but servers that split on a literal '/' (s3rver among
    /// them) do not; a plain '/' is read by all. This runs before the request is signed.
    /// </summary>
    private static void PlainCopySourceSlashes(object sender, RequestEventArgs e)
    {
        if (e is WebServiceRequestEventArgs request && request.Headers.TryGetValue(CopySourceHeader, out var source))
        {
            request.Headers[CopySourceHeader] = source.Replace("%2F", "/", StringComparison.OrdinalIgnoreCase);
        }
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
