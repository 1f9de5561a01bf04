using Kiln.Core.Packaging;
using Kiln.Server.Configuration;
using Kiln.Storage.Artifacts;
using Microsoft.Extensions.Options;

namespace Kiln.Server.Hosting;

/// <summary>
/// The artifact store <c>Kiln:Storage:Artifacts</c> names: the folder <c>&lt;DataDir&gt;/artifacts</c> by
/// default, another folder, or an S3 bucket. It is created, and its place logged, as the server
/// starts (the deployment restore needs it), so a bad setting stops the start.
/// </summary>
internal static partial class ArtifactStoreFactory
{
    public static IArtifactStore Create(IServiceProvider provider)
    {
        var storage = provider.GetRequiredService<IOptions<KilnOptions>>().Value.Storage;
        var logger = provider.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ArtifactStoreFactory).FullName!);
        var location = ArtifactLocation.Parse(storage.Artifacts, Path.Combine(Path.GetFullPath(storage.DataDir), "artifacts"));
        switch (location)
        {
            case ArtifactLocation.S3 bucket:
                var s3 = storage.S3;
                var connection = new S3Connection(s3.ServiceUrl, s3.Region, s3.ForcePathStyle, s3.AccessKeyId, s3.SecretAccessKey)
                    .WithEnvironmentDefaults(Environment.GetEnvironmentVariable);
                LogS3(logger, bucket.ToString(), connection.ToString());
                return new S3ArtifactStore(connection.CreateClient(), bucket.Bucket, bucket.Prefix);
            default:
                LogFolder(logger, location.ToString());
                return new FileSystemArtifactStore(location.ToString());
        }
    }

    [LoggerMessage(EventId = 10, Level = LogLevel.Information, Message = "Artifacts in the folder {Folder}")]
    private static partial void LogFolder(ILogger logger, string folder);

    [LoggerMessage(EventId = 11, Level = LogLevel.Information, Message = "Artifacts on S3 at {Location} via {Connection}")]
    private static partial void LogS3(ILogger logger, string location, string connection);
}
