using Kiln.Core;
using Kiln.Server.Storage;
using Microsoft.Extensions.Options;

namespace Kiln.Server.Configuration;

/// <summary>Checks every setting at start and reports all problems at once.</summary>
internal sealed class KilnOptionsValidator : IValidateOptions<KilnOptions>
{
    public ValidateOptionsResult Validate(string? name, KilnOptions options)
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(options.Storage.DataDir))
        {
            errors.Add("Kiln:Storage:DataDir (KILN_DATA_DIR, --data-dir) must name a folder.");
        }
        else if (options.Storage.DataDir.IndexOfAny(Path.GetInvalidPathChars()) >= 0)
        {
            errors.Add("Kiln:Storage:DataDir contains characters that cannot be in a path.");
        }

        if (!string.IsNullOrWhiteSpace(options.Storage.Database))
        {
            try
            {
                _ = DatabaseBackend.From(options.Storage);
            }
            catch (KilnException error)
            {
                errors.Add($"Kiln:Storage:Database (KILN_DATABASE, --database) {error.Message.Replace("database: ", string.Empty, StringComparison.Ordinal)}");
            }
        }

        if (options.Replica is { } replica && (replica.Length is 0 or > 64 || replica.Any(char.IsControl)))
        {
            errors.Add("Kiln:Replica (KILN_REPLICA) must be 1 to 64 printable characters.");
        }

        if (options.PublicUrl is { } publicUrl
            && !(Uri.TryCreate(publicUrl, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)))
        {
            errors.Add("Kiln:PublicUrl (KILN_PUBLIC_URL, --public-url) must be an absolute http or https URL.");
        }

        TlsValidator.Validate(options.Tls, options.Http, errors);
        ValidateRateLimits(options.RateLimits, errors);
        if (options.Audit.Retention < TimeSpan.FromDays(1))
        {
            errors.Add("Kiln:Audit:Retention must be at least one day.");
        }

        ArtifactStorageValidator.Validate(options.Storage, errors);

        var pipelines = options.Pipelines;
        if (pipelines.MaxConcurrentRuns is < 1 or > 64)
        {
            errors.Add("Kiln:Pipelines:MaxConcurrentRuns must be between 1 and 64.");
        }

        if (pipelines.PollInterval <= TimeSpan.Zero || pipelines.ScheduleInterval <= TimeSpan.Zero || pipelines.MisfireGrace < TimeSpan.Zero)
        {
            errors.Add("Kiln:Pipelines:PollInterval and ScheduleInterval must be positive, and MisfireGrace zero or more.");
        }

        if (pipelines.OwnerTimeout < 3 * pipelines.PollInterval || pipelines.OwnerTimeout < TimeSpan.FromSeconds(15))
        {
            errors.Add("Kiln:Pipelines:OwnerTimeout must be at least 15 s and three times PollInterval, or busy replicas would take each other's runs.");
        }

        if (options.Serving.MaxRequestBodyBytes is < 1024 or > 1L << 31)
        {
            errors.Add("Kiln:Serving:MaxRequestBodyBytes must be between 1 KiB and 2 GiB.");
        }

        if (options.Serving.MaxUploadBytes < 1024)
        {
            errors.Add("Kiln:Serving:MaxUploadBytes must be at least 1 KiB.");
        }

        if (options.Serving.MaxUploadFiles < 1)
        {
            errors.Add("Kiln:Serving:MaxUploadFiles must be at least 1.");
        }

        if (options.Serving.MaxConnections is < 16)
        {
            errors.Add("Kiln:Serving:MaxConnections must be at least 16.");
        }

        if (options.Serving.RequestHeadersTimeout <= TimeSpan.Zero || options.Serving.KeepAliveTimeout <= TimeSpan.Zero)
        {
            errors.Add("Kiln:Serving:RequestHeadersTimeout and KeepAliveTimeout must be positive.");
        }

        OidcValidator.Validate(options.Auth.Oidc, errors);
        if (options.Auth.AdminKey is { } key && key.Length < 16)
        {
            errors.Add("Kiln:Auth:AdminKey (KILN_ADMIN_KEY) must be at least 16 characters.");
        }

        var monitoring = options.Monitoring;
        if (monitoring.CheckpointInterval < TimeSpan.FromMilliseconds(10) || monitoring.CheckpointInterval > TimeSpan.FromSeconds(1))
        {
            errors.Add("Kiln:Monitoring:CheckpointInterval must be between 10 ms and 1 s.");
        }

        if (monitoring.QueueCapacityRows < 1)
        {
            errors.Add("Kiln:Monitoring:QueueCapacityRows must be at least 1.");
        }

        if (monitoring.BatchRows is < 1 or > 1_000_000)
        {
            errors.Add("Kiln:Monitoring:BatchRows must be between 1 and 1,000,000.");
        }

        if (monitoring.RetentionAge <= TimeSpan.Zero || monitoring.RetentionRows < 1 || monitoring.RetentionInterval <= TimeSpan.Zero)
        {
            errors.Add("Kiln:Monitoring:RetentionAge, RetentionRows and RetentionInterval must be positive.");
        }

        if (monitoring.ProfileBucket < TimeSpan.FromSeconds(1) || monitoring.ProfileBucket > TimeSpan.FromDays(1))
        {
            errors.Add("Kiln:Monitoring:ProfileBucket must be between 1 second and 1 day.");
        }

        if (monitoring.MaxLabelsPerRequest < 1)
        {
            errors.Add("Kiln:Monitoring:MaxLabelsPerRequest must be at least 1.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void ValidateRateLimits(RateLimitOptions limits, List<string> errors)
    {
        var named = new[] { ("Anonymous", limits.Anonymous) }
            .Concat(limits.Roles.Select(r => ($"Roles:{r.Key}", r.Value)))
            .Concat(limits.Deployments.Select(d => ($"Deployments:{d.Key}", d.Value)));
        foreach (var (name, limit) in named)
        {
            if (limit is null || limit.PerSecond < 0 || double.IsNaN(limit.PerSecond) || limit.Burst is < 1)
            {
                errors.Add($"Kiln:RateLimits:{name}: PerSecond must be zero (off) or positive, and Burst at least 1.");
            }
        }

        foreach (var role in limits.Roles.Keys)
        {
            if (!Enum.TryParse<Kiln.Core.Security.KilnRole>(role, ignoreCase: true, out _))
            {
                errors.Add($"Kiln:RateLimits:Roles:{role} names no role (viewer, predictor, deployer, admin).");
            }
        }
    }
}
