using Kiln.Core.Cluster;
using Kiln.Monitoring.Traffic;
using Kiln.Server.Storage;

namespace Kiln.Server.Cluster;

/// <summary>
/// Shares recent traffic between replicas through the database, so what decides on traffic — canary analysis,
/// error-rate and latency alerts, the deployments API's numbers — sees every replica's requests, not only its
/// own: every <see cref="Period"/> this replica publishes its last few buckets and merges the others' new ones.
/// <c>/metrics</c> stays per process (Prometheus sums replicas itself).
/// </summary>
internal sealed partial class TrafficExchange(
    TrafficWindows traffic,
    ITrafficShareStore store,
    IClusterSignals signals,
    ReplicaIdentity replica,
    ILogger<TrafficExchange> logger) : BackgroundService
{
    public static readonly TimeSpan Period = TimeSpan.FromSeconds(2);

    // Buckets still filling or just closed; older ones were published complete already.
    private static readonly TimeSpan Recent = TimeSpan.FromSeconds(30);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!signals.IsShared)
        {
            return;
        }

        // Written-at times come from each replica's clock: read back a little further than the last read.
        var readSince = DateTimeOffset.UnixEpoch;
        using var timer = new PeriodicTimer(Period, TimeProvider.System);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    var now = TimeProvider.System.GetUtcNow();
                    var mine = traffic.Export(Recent).Select(b => new TrafficShare(replica.Name, b.Deployment, b.Variant, b.BucketStartMs, b.Counts)).ToArray();
                    await store.PublishAsync(replica.Name, mine, now, stoppingToken);
                    var theirs = await store.ReadOthersAsync(replica.Name, now - traffic.Coverage, readSince, stoppingToken);
                    foreach (var bucket in theirs)
                    {
                        traffic.Merge(bucket.Replica, bucket.Deployment, bucket.Variant, bucket.BucketStartMs, bucket.Counts);
                    }

                    traffic.PruneRemote();
                    readSince = now - TimeSpan.FromSeconds(10);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogExchangeFailed(e);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    [LoggerMessage(EventId = 5401, Level = LogLevel.Warning, Message = "Sharing traffic with the other replicas failed; decisions see this replica's traffic alone until it works again")]
    private partial void LogExchangeFailed(Exception exception);
}
