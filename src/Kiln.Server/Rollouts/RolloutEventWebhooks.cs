using Kiln.Core.Monitoring.Alerts;
using Kiln.Monitoring.Alerts.Alertmanager;
using Kiln.Server.Alerts;
using Kiln.Server.Configuration;
using Microsoft.Extensions.Options;

namespace Kiln.Server.Rollouts;

/// <summary>
/// Reports canary decisions (advanced, promoted, rolled back) to the configured alert webhooks in
/// Alertmanager's shape, so whoever is paged for alerts also hears that a canary was rolled back and why.
/// </summary>
internal sealed partial class RolloutEventWebhooks(
    IAlertEventStream events, AlertWebhookSender sender, IOptions<AlertOptions> options, Hosting.PublicAddress publicAddress, ILogger<RolloutEventWebhooks> logger)
    : BackgroundService
{
    private AlertSubscription? _subscription;

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        // Subscribe before the first decision can be published, not whenever the loop gets a thread.
        _subscription = events.Subscribe();
        return base.StartAsync(cancellationToken);
    }

    public override void Dispose()
    {
        _subscription?.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var subscription = _subscription ?? throw new InvalidOperationException("Not started.");
        try
        {
            await foreach (var alertEvent in subscription.Reader.ReadAllAsync(stoppingToken))
            {
                var settings = options.Value;
                if (!alertEvent.Kind.StartsWith("canary.", StringComparison.Ordinal) || settings.Webhooks.Count == 0)
                {
                    continue;
                }

                var message = AlertmanagerPayloads.FromEvent(alertEvent, settings.Receiver, settings.ExternalUrl ?? publicAddress.Value);
                foreach (var url in settings.Webhooks)
                {
                    try
                    {
                        await sender.SendAsync(url.Trim(), message, stoppingToken);
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        LogDeliveryFailed(e, alertEvent.Kind, alertEvent.Deployment);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    [LoggerMessage(EventId = 6201, Level = LogLevel.Warning, Message = "Could not report {Kind} of {Deployment} to a webhook")]
    private partial void LogDeliveryFailed(Exception exception, string kind, string deployment);
}
