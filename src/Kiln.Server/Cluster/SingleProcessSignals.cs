using Kiln.Core.Cluster;

namespace Kiln.Server.Cluster;

/// <summary>The SQLite store serves one process: there is nobody to tell, and nothing to hear.</summary>
internal sealed class SingleProcessSignals : IClusterSignals
{
    public bool IsShared => false;

    public Task PublishAsync(ClusterTopic topic, string key, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task ListenAsync(Func<ClusterTopic, string, Task> handler, CancellationToken cancellationToken) =>
        Task.Delay(Timeout.Infinite, cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
}
