using System.Threading.Channels;
using Kiln.Core.Monitoring.Alerts;

namespace Kiln.Monitoring.Alerts;

/// <summary>
/// The in-process <see cref="IAlertEventStream"/>: one bounded channel per subscriber; a full one
/// drops its oldest event, so a slow subscriber loses history rather than slowing the evaluator.
/// </summary>
public sealed class AlertEventBroadcast : IAlertEventStream
{
    private readonly Lock _gate = new();
    private Channel<AlertEvent>[] _subscribers = [];

    /// <summary>How many subscribers there are now.</summary>
    public int SubscriberCount => Volatile.Read(ref _subscribers).Length;

    /// <inheritdoc/>
    public void Publish(AlertEvent alertEvent)
    {
        ArgumentNullException.ThrowIfNull(alertEvent);
        foreach (var subscriber in Volatile.Read(ref _subscribers))
        {
            subscriber.Writer.TryWrite(alertEvent);
        }
    }

    /// <inheritdoc/>
    public AlertSubscription Subscribe(int capacity = 1024)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        var channel = Channel.CreateBounded<AlertEvent>(new BoundedChannelOptions(capacity)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleWriter = false,
            SingleReader = false,
        });
        lock (_gate)
        {
            _subscribers = [.. _subscribers, channel];
        }

        return new AlertSubscription(channel.Reader, () =>
        {
            lock (_gate)
            {
                _subscribers = [.. _subscribers.Where(s => s != channel)];
            }

            channel.Writer.TryComplete();
        });
    }
}
