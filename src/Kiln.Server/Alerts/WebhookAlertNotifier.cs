using System.Threading.Channels;
using Kiln.Monitoring.Alerts;
using Kiln.Monitoring.Alerts.Alertmanager;
using Kiln.Server.Configuration;
using Microsoft.Extensions.Options;

namespace Kiln.Server.Alerts;

/// <summary>
/// Queues notifications and delivers them in the background to the configured webhooks and the
/// rule's own, a few at a time, so a slow or dead receiver never holds up evaluation or the others.
/// </summary>
internal sealed partial class WebhookAlertNotifier : BackgroundService, IAlertNotifier
{
    private const int QueueCapacity = 1000;
    private const int ConcurrentDeliveries = 8;

    private readonly Channel<AlertNotification> _queue;
    private readonly SemaphoreSlim _slots = new(ConcurrentDeliveries, ConcurrentDeliveries);
    private readonly AlertWebhookSender _sender;
    private readonly IOptions<AlertOptions> _options;
    private readonly ILogger<WebhookAlertNotifier> _logger;
    private readonly Hosting.PublicAddress _publicAddress;

    public WebhookAlertNotifier(AlertWebhookSender sender, IOptions<AlertOptions> options, Hosting.PublicAddress publicAddress, ILogger<WebhookAlertNotifier> logger)
    {
        _sender = sender;
        _options = options;
        _publicAddress = publicAddress;
        _logger = logger;
        _queue = Channel.CreateBounded<AlertNotification>(
            new BoundedChannelOptions(QueueCapacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true },
            dropped => LogDropped(dropped.State.RuleName, dropped.State.Deployment));
    }

    public void Notify(AlertNotification notification) => _queue.Writer.TryWrite(notification);

    public override void Dispose()
    {
        _slots.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var notification in _queue.Reader.ReadAllAsync(stoppingToken))
            {
                var settings = _options.Value;
                var urls = settings.Webhooks.Concat(notification.Rule?.Webhooks ?? []).Select(u => u.Trim()).Distinct(StringComparer.Ordinal);
                var message = AlertmanagerPayloads.Build(notification, settings.Receiver, settings.ExternalUrl ?? _publicAddress.Value);
                foreach (var url in urls)
                {
                    await _slots.WaitAsync(stoppingToken);
                    _ = DeliverAsync(url, message, stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: undelivered notifications are dropped; the states are in the store.
        }
    }

    private async Task DeliverAsync(string url, AlertmanagerMessage message, CancellationToken cancellationToken)
    {
        try
        {
            await _sender.SendAsync(url, message, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Shutting down.
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            LogDeliveryFailed(e);
        }
        finally
        {
            _slots.Release();
        }
    }

    [LoggerMessage(EventId = 2313, Level = LogLevel.Warning, Message = "Alert notification queue full: dropped the oldest ({RuleName} on {Deployment})")]
    private partial void LogDropped(string ruleName, string deployment);

    [LoggerMessage(EventId = 2314, Level = LogLevel.Error, Message = "Delivering an alert notification failed")]
    private partial void LogDeliveryFailed(Exception exception);
}
