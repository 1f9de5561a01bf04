using Kiln.Core.Cluster;
using Kiln.Server.Storage;
using Microsoft.Extensions.Options;

namespace Kiln.Server.Cluster;

/// <summary>
/// The lease that picks the one replica running the singleton jobs (canary analysis, alert evaluation,
/// prediction-log retention): taken or renewed every <see cref="ClusterOptions.LeaseRenewInterval"/>, it
/// lapses after <see cref="ClusterOptions.LeaseDuration"/> without renewal, when another replica takes it.
/// A single process on SQLite simply holds it. Lease times are wall-clock (process liveness), never the
/// injected clock that tests move: replicas on several machines need synchronized clocks (NTP).
/// </summary>
public sealed partial class LeaderLease(ILeaseStore leases, ReplicaIdentity replica, IOptions<Configuration.KilnOptions> options, ILogger<LeaderLease> logger) : BackgroundService
{
    /// <summary>The lease's name in the store.</summary>
    public const string Name = "singleton-jobs";

    private volatile bool _held;

    /// <summary>Whether this replica runs the singleton jobs now.</summary>
    public bool IsHeld => _held;

    /// <summary>This replica's name.</summary>
    public string Replica => replica.Name;

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        // Decided before the jobs' first tick, so a single server runs them from the start.
        await RenewAsync(cancellationToken);
        await base.StartAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (_held)
        {
            _held = false;
            try
            {
                await leases.ReleaseAsync(Name, replica.Name, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogReleaseFailed(e); // it lapses by itself
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.Cluster.LeaseRenewInterval, TimeProvider.System);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await RenewAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    private async Task RenewAsync(CancellationToken cancellationToken)
    {
        bool held;
        try
        {
            held = await leases.TryAcquireAsync(Name, replica.Name, TimeProvider.System.GetUtcNow(), options.Value.Cluster.LeaseDuration, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Unsure whether the lease is still ours: stop running the jobs rather than risk running them twice.
            held = false;
            LogRenewFailed(e);
        }

        if (held != _held)
        {
            _held = held;
            if (held)
            {
                LogAcquired(replica.Name);
            }
            else
            {
                LogLost(replica.Name);
            }
        }
    }

    [LoggerMessage(EventId = 5301, Level = LogLevel.Information, Message = "Replica {Replica} now runs the singleton jobs (canary analysis, alert evaluation, retention)")]
    private partial void LogAcquired(string replica);

    [LoggerMessage(EventId = 5302, Level = LogLevel.Warning, Message = "Replica {Replica} no longer holds the singleton-jobs lease")]
    private partial void LogLost(string replica);

    [LoggerMessage(EventId = 5303, Level = LogLevel.Warning, Message = "Renewing the singleton-jobs lease failed")]
    private partial void LogRenewFailed(Exception exception);

    [LoggerMessage(EventId = 5304, Level = LogLevel.Warning, Message = "Releasing the singleton-jobs lease failed; it lapses by itself")]
    private partial void LogReleaseFailed(Exception exception);
}
