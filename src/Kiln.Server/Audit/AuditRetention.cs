using Kiln.Core.Audit;
using Kiln.Server.Cluster;
using Kiln.Server.Configuration;
using Microsoft.Extensions.Options;

namespace Kiln.Server.Audit;

/// <summary>Deletes audit events older than <c>Kiln:Audit:Retention</c> once an hour, on the replica that holds the singleton lease.</summary>
internal sealed partial class AuditRetention(IAuditStore store, LeaderLease lease, IOptions<KilnOptions> options, TimeProvider time, ILogger<AuditRetention> logger)
    : BackgroundService
{
    private static readonly TimeSpan Every = TimeSpan.FromHours(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Every, time);
        await SingletonJob.RunAsync(lease, timer, runAtStart: true, RemoveExpiredAsync, LogFailed, stoppingToken);
    }

    private async Task RemoveExpiredAsync(CancellationToken cancellationToken)
    {
        var removed = await store.DeleteOlderThanAsync(time.GetUtcNow() - options.Value.Audit.Retention, cancellationToken);
        if (removed > 0)
        {
            LogRemoved(removed);
        }
    }

    [LoggerMessage(EventId = 1302, Level = LogLevel.Information, Message = "Audit retention removed {Events} events")]
    private partial void LogRemoved(int events);

    [LoggerMessage(EventId = 1303, Level = LogLevel.Warning, Message = "Audit retention failed")]
    private partial void LogFailed(Exception exception);
}
