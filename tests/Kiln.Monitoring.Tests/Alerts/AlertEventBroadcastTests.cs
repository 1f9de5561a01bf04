using Kiln.Core.Monitoring.Alerts;
using Kiln.Monitoring.Alerts;

namespace Kiln.Monitoring.Tests.Alerts;

public sealed class AlertEventBroadcastTests
{
    private static AlertEvent Event(int i) => new("alert.firing", "bank", $"event {i}", new Dictionary<string, string>(), DateTimeOffset.UnixEpoch.AddSeconds(i));

    [Fact]
    public void Publish_TwoSubscribers_EachGetsEveryEvent()
    {
        var broadcast = new AlertEventBroadcast();
        using var first = broadcast.Subscribe();
        using var second = broadcast.Subscribe();

        broadcast.Publish(Event(1));
        broadcast.Publish(Event(2));

        foreach (var subscription in new[] { first, second })
        {
            Assert.True(subscription.Reader.TryRead(out var a));
            Assert.True(subscription.Reader.TryRead(out var b));
            Assert.Equal(["event 1", "event 2"], new[] { a.Summary, b.Summary });
        }
    }

    [Fact]
    public void Publish_SlowSubscriberFull_DropsOldest()
    {
        var broadcast = new AlertEventBroadcast();
        using var slow = broadcast.Subscribe(capacity: 2);

        for (var i = 1; i <= 5; i++)
        {
            broadcast.Publish(Event(i));
        }

        Assert.True(slow.Reader.TryRead(out var a));
        Assert.True(slow.Reader.TryRead(out var b));
        Assert.False(slow.Reader.TryRead(out _));
        Assert.Equal(["event 4", "event 5"], new[] { a.Summary, b.Summary });
    }

    [Fact]
    public async Task Dispose_Subscription_CompletesReaderAndStopsDelivery()
    {
        var broadcast = new AlertEventBroadcast();
        var subscription = broadcast.Subscribe();

        subscription.Dispose();
        broadcast.Publish(Event(1));

        Assert.Equal(0, broadcast.SubscriberCount);
        await subscription.Reader.Completion.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.False(subscription.Reader.TryRead(out _));
    }
}
