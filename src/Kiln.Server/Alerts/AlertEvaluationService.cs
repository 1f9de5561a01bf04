using Kiln.Monitoring.Alerts;
using Kiln.Server.Cluster;
using Kiln.Server.Configuration;
using Microsoft.Extensions.Options;

namespace Kiln.Server.Alerts;

/// <summary>Evaluates the alert rules every <see cref="AlertOptions.Interval"/>, on a timer from the injected <see cref="TimeProvider"/>.</summary>
internal sealed partial class AlertEvaluationService(AlertEvaluator evaluator, LeaderLease lease, IOptions<AlertOptions> options, TimeProvider time, ILogger<AlertEvaluationService> logger) : BackgroundService
{
    private PeriodicTimer? _timer;

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        // The schedule starts now, not whenever the background loop gets a thread, so a fake clock advanced after start drives it.
        _timer = new PeriodicTimer(options.Value.Interval, time);
        return base.StartAsync(cancellationToken);
    }

    public override void Dispose()
    {
        _timer?.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var timer = _timer ?? throw new InvalidOperationException("The service was not started.");
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                if (!lease.IsHeld)
                {
                    continue; // another replica evaluates the rules
                }

                try
                {
                    await evaluator.EvaluateAsync(time.GetUtcNow(), stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    // One failed evaluation (a locked database, say) must not stop the schedule.
                    LogEvaluationFailed(e);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    [LoggerMessage(EventId = 2321, Level = LogLevel.Error, Message = "Evaluating the alert rules failed; trying again at the next interval")]
    private partial void LogEvaluationFailed(Exception exception);
}
