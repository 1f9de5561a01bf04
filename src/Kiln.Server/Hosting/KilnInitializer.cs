using Kiln.Core.Security;
using Kiln.Inference.Serving;
using Kiln.Server.Configuration;
using Kiln.Server.Security;
using Kiln.Server.Storage;
using Microsoft.Extensions.Options;

namespace Kiln.Server.Hosting;

/// <summary>
/// Brings the store up to date before the server listens (data folder, migrations or a check that none is pending, bootstrap
/// admin key), then restores the deployments in the background: liveness answers at once,
/// readiness once every deployment is warm.
/// </summary>
internal sealed partial class KilnInitializer(
    IOptions<KilnOptions> options,
    DatabaseMigrator migrator,
    DatabaseBackend backend,
    ReplicaIdentity replica,
    IApiKeyStore keys,
    ApiKeyIssuer issuer,
    DeploymentManager deployments,
    ILogger<KilnInitializer> logger) : IHostedService
{
    private Task? _restore;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var kiln = options.Value;
        var dataDir = Path.GetFullPath(kiln.Storage.DataDir);
        Directory.CreateDirectory(dataDir);
        var staging = Path.Combine(dataDir, "staging");
        if (Directory.Exists(staging))
        {
            Directory.Delete(staging, recursive: true);
        }

        if (kiln.Storage.MigrateOnStart)
        {
            await migrator.MigrateAsync(cancellationToken);
        }
        else
        {
            await migrator.EnsureCurrentAsync(cancellationToken);
        }

        LogStore(backend.Display, replica.Name);
        await EnsureAdminKeyAsync(kiln.Auth, cancellationToken);
        _restore = Task.Run(() => deployments.RestoreAsync(CancellationToken.None), CancellationToken.None);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_restore is not null)
        {
            await _restore.WaitAsync(cancellationToken);
        }
    }

    private async Task EnsureAdminKeyAsync(AuthOptions auth, CancellationToken cancellationToken)
    {
        if (!auth.Enabled)
        {
            LogAuthDisabled();
            return;
        }

        if (auth.AdminKey is { } configured)
        {
            if (await keys.FindActiveByHashAsync(ApiKeySecret.Hash(configured), cancellationToken) is null)
            {
                await issuer.IssueAsync("bootstrap-admin (KILN_ADMIN_KEY)", KilnRole.Admin, cancellationToken, configured);
            }

            return;
        }

        if (!await keys.AnyAsync(cancellationToken))
        {
            var created = await issuer.IssueAsync("bootstrap-admin", KilnRole.Admin, cancellationToken);
            // Shown once, on the console only: the store keeps just its hash.
            Console.Error.WriteLine($"""

                ========================================================================
                 Kiln generated an admin API key. It is shown only this once:

                   {created.Key}

                 Use it as:  export KILN_API_KEY={created.Key}
                ========================================================================

                """);
        }
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Kiln store ready: {Database} (replica {Replica})")]
    private partial void LogStore(string database, string replica);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "AUTHENTICATION IS DISABLED: every caller is an admin. Use this only for local experiments.")]
    private partial void LogAuthDisabled();
}
