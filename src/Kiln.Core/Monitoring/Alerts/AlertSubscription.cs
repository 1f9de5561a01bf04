using System.Threading.Channels;

namespace Kiln.Core.Monitoring.Alerts;

/// <summary>One subscriber's view of the <see cref="IAlertEventStream"/>: read <see cref="Reader"/>, dispose to leave.</summary>
public sealed class AlertSubscription : IDisposable
{
    private readonly Action _unsubscribe;
    private int _disposed;

    /// <summary>Creates a subscription over <paramref name="reader"/>; <paramref name="unsubscribe"/> runs once on dispose.</summary>
    public AlertSubscription(ChannelReader<AlertEvent> reader, Action unsubscribe)
    {
        Reader = reader;
        _unsubscribe = unsubscribe;
    }

    /// <summary>The events, in publication order; completes when the subscription is disposed.</summary>
    public ChannelReader<AlertEvent> Reader { get; }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _unsubscribe();
        }
    }
}
