using Kiln.Core.Cluster;
using Kiln.Inference.Serving;
using Kiln.Server.Security;
using Microsoft.Extensions.Options;

namespace Kiln.Server.Cluster;

/// <summary>
/// Keeps this replica in step with the others: a deployment changed elsewhere is loaded, warmed and swapped
/// in here as soon as its signal arrives, a revoked key is forgotten at once, and every
/// <see cref="ClusterOptions.ReconcileInterval"/> the whole serving table is compared with the store in case
/// a signal was lost. Only where the store is shared (PostgreSQL).
/// </summary>
internal sealed partial class ClusterSyncService(
    IClusterSignals signals,
    DeploymentManager deployments,
    ApiKeyValidator keys,
    IOptions<Configuration.KilnOptions> options,
    ILogger<ClusterSyncService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!signals.IsShared)
        {
            return;
        }

        await Task.WhenAll(signals.ListenAsync(OnSignalAsync, stoppingToken), ReconcileAsync(stoppingToken));
    }

    private async Task OnSignalAsync(ClusterTopic topic, string key)
    {
        switch (topic)
        {
            case ClusterTopic.Keys:
                keys.Forget();
                break;
            case ClusterTopic.Deployments when deployments.IsRestored:
                await (key == IClusterSignals.Everything ? deployments.SyncAllAsync(CancellationToken.None) : deployments.SyncAsync(key, CancellationToken.None));
                break;
        }
    }

    private async Task ReconcileAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.Cluster.ReconcileInterval, TimeProvider.System);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                if (!deployments.IsRestored)
                {
                    continue;
                }

                try
                {
                    await deployments.SyncAllAsync(stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogReconcileFailed(e);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    [LoggerMessage(EventId = 5201, Level = LogLevel.Warning, Message = "Comparing the served deployments with the store failed; trying again at the next interval")]
    private partial void LogReconcileFailed(Exception exception);
}
