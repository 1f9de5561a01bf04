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

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => SingletonJob.RunAsync(
        lease,
        _timer ?? throw new InvalidOperationException("The service was not started."),
        runAtStart: false,
        cancellationToken => evaluator.EvaluateAsync(time.GetUtcNow(), cancellationToken),
        LogEvaluationFailed,
        stoppingToken);

    [LoggerMessage(EventId = 2321, Level = LogLevel.Error, Message = "Evaluating the alert rules failed; trying again at the next interval")]
    private partial void LogEvaluationFailed(Exception exception);
}
