namespace Kiln.Server.Cluster;

/// <summary>
/// The schedule of every singleton job (alert evaluation, cron triggers, prediction-log and audit retention): a run at
/// each tick of a timer on the injected clock, only on the replica holding the <see cref="LeaderLease"/>, until the
/// server stops. A failed run is reported and the schedule goes on: one locked database must not end a job for good.
/// </summary>
internal static class SingletonJob
{
    public static async Task RunAsync(
        LeaderLease lease, PeriodicTimer timer, bool runAtStart, Func<CancellationToken, Task> run, Action<Exception> failed, CancellationToken stoppingToken)
    {
        try
        {
            if (runAtStart)
            {
                await RunOnceAsync(lease, run, failed, stoppingToken);
            }

            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await RunOnceAsync(lease, run, failed, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    private static async Task RunOnceAsync(LeaderLease lease, Func<CancellationToken, Task> run, Action<Exception> failed, CancellationToken stoppingToken)
    {
        if (!lease.IsHeld)
        {
            return; // another replica runs it
        }

        try
        {
            await run(stoppingToken);
        }
        catch (Exception e) when (!stoppingToken.IsCancellationRequested)
        {
            failed(e);
        }
    }
}
