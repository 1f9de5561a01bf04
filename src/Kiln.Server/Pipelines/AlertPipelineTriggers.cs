using Kiln.Core.Monitoring.Alerts;
using Kiln.Pipelines.Triggers;

namespace Kiln.Server.Pipelines;

/// <summary>Listens to the alert event stream (alerts are evaluated on the lease holder) and starts the runs of alert triggers.</summary>
internal sealed partial class AlertPipelineTriggers(IAlertEventStream events, PipelineTriggerDispatcher dispatcher, ILogger<AlertPipelineTriggers> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var subscription = events.Subscribe();
        try
        {
            await foreach (var alert in subscription.Reader.ReadAllAsync(stoppingToken))
            {
                if (alert.Kind != AlertEventKinds.Firing)
                {
                    continue;
                }

                try
                {
                    await dispatcher.DispatchAsync(new AlertFired(
                        alert.SourceId ?? alert.Labels.GetValueOrDefault("rule_id") ?? "",
                        alert.Labels.GetValueOrDefault("alertname") ?? alert.SourceId ?? "",
                        alert.Deployment,
                        alert.Labels.GetValueOrDefault("severity") ?? "",
                        alert.Summary,
                        alert.Time), stoppingToken);
                }
                catch (Exception e) when (!stoppingToken.IsCancellationRequested)
                {
                    LogDispatchFailed(e, alert.Summary);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // shutting down
        }
    }

    [LoggerMessage(EventId = 4131, Level = LogLevel.Error, Message = "Starting the pipelines triggered by alert '{Alert}' failed")]
    private partial void LogDispatchFailed(Exception exception, string alert);
}
