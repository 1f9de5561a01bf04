namespace Kiln.Core.Monitoring.Alerts;

/// <summary>
/// An in-process broadcast of <see cref="AlertEvent"/>s: every subscriber gets every event published
/// after it subscribed. Subscribers are buffered and bounded: a slow one loses its oldest events,
/// never slows the publisher.
/// </summary>
public interface IAlertEventStream
{
    /// <summary>Sends <paramref name="alertEvent"/> to every current subscriber; never blocks.</summary>
    void Publish(AlertEvent alertEvent);

    /// <summary>Subscribes; dispose the subscription to stop. <paramref name="capacity"/> bounds its buffer.</summary>
    AlertSubscription Subscribe(int capacity = 1024);
}
