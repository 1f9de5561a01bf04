using Kiln.Core.Cluster;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Kiln.Storage.PostgreSql.Cluster;

/// <summary>
/// Signals between replicas over PostgreSQL's LISTEN/NOTIFY: one channel per topic, the key as payload.
/// The listener keeps one connection of its own; after it is lost and regained it reports
/// <see cref="IClusterSignals.Everything"/> for every topic, since signals sent meanwhile are gone.
/// </summary>
public sealed partial class PostgresClusterSignals(NpgsqlDataSource dataSource, ILogger<PostgresClusterSignals> logger) : IClusterSignals
{
    private static readonly TimeSpan ReconnectDelay = TimeSpan.FromSeconds(1);

    public bool IsShared => true;

    public async Task PublishAsync(ClusterTopic topic, string key, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var notify = new NpgsqlCommand("SELECT pg_notify(@channel, @key)", connection)
        {
            Parameters = { new("channel", Channel(topic)), new("key", key) },
        };
        await notify.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task ListenAsync(Func<ClusterTopic, string, Task> handler, CancellationToken cancellationToken)
    {
        var reconnected = false;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
                var received = System.Threading.Channels.Channel.CreateUnbounded<(ClusterTopic, string)>();
                connection.Notification += (_, e) =>
                {
                    if (Topic(e.Channel) is { } topic)
                    {
                        received.Writer.TryWrite((topic, e.Payload));
                    }
                };
                await using (var listen = new NpgsqlCommand(string.Join(';', Enum.GetValues<ClusterTopic>().Select(t => $"LISTEN {Channel(t)}")), connection))
                {
                    await listen.ExecuteNonQueryAsync(cancellationToken);
                }

                if (reconnected)
                {
                    foreach (var topic in Enum.GetValues<ClusterTopic>())
                    {
                        await handler(topic, IClusterSignals.Everything);
                    }
                }

                reconnected = true;
                var dispatch = DispatchAsync(received.Reader, handler, cancellationToken);
                try
                {
                    while (!cancellationToken.IsCancellationRequested)
                    {
                        await connection.WaitAsync(cancellationToken);
                    }
                }
                finally
                {
                    received.Writer.TryComplete();
                    await dispatch;
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is NpgsqlException or InvalidOperationException or IOException or TimeoutException)
            {
                LogListenFailed(e);
                await Task.Delay(ReconnectDelay, cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    // Handlers run off the connection's thread, one at a time, so a slow one (a model load) never stalls the listener.
    private async Task DispatchAsync(System.Threading.Channels.ChannelReader<(ClusterTopic Topic, string Key)> reader, Func<ClusterTopic, string, Task> handler, CancellationToken cancellationToken)
    {
        await foreach (var (topic, key) in reader.ReadAllAsync(CancellationToken.None))
        {
            try
            {
                await handler(topic, key);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                LogHandlerFailed(e, topic, key);
            }
        }
    }

    private static string Channel(ClusterTopic topic) => topic switch
    {
        ClusterTopic.Deployments => "kiln_deployments",
        ClusterTopic.Keys => "kiln_keys",
        _ => throw new ArgumentOutOfRangeException(nameof(topic)),
    };

    private static ClusterTopic? Topic(string channel) => channel switch
    {
        "kiln_deployments" => ClusterTopic.Deployments,
        "kiln_keys" => ClusterTopic.Keys,
        _ => null,
    };

    [LoggerMessage(EventId = 5001, Level = LogLevel.Warning, Message = "Lost the PostgreSQL connection that listens for other replicas' changes; reconnecting")]
    private partial void LogListenFailed(Exception exception);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Error, Message = "Applying a {Topic} signal ({Key}) from another replica failed; the periodic reconcile will retry")]
    private partial void LogHandlerFailed(Exception exception, ClusterTopic topic, string key);
}
