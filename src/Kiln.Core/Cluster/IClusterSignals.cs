namespace Kiln.Core.Cluster;

/// <summary>What a signal says changed.</summary>
public enum ClusterTopic
{
    /// <summary>A deployment (its key) was changed or deleted; <see cref="IClusterSignals.Everything"/>: any may have.</summary>
    Deployments,

    /// <summary>An API key (its id) was revoked.</summary>
    Keys,
}

/// <summary>
/// Tells the other replicas sharing the database that something changed, so they refresh it at once
/// rather than at their next reconcile. A signal is a hint, never the data: receivers read the store.
/// </summary>
public interface IClusterSignals
{
    /// <summary>The key of a signal that means "anything may have changed" (after a lost connection, signals may have been missed).</summary>
    public const string Everything = "*";

    /// <summary>Whether signals cross processes (PostgreSQL); false for the single-process SQLite store.</summary>
    bool IsShared { get; }

    /// <summary>Announces a change to every replica listening, this one included.</summary>
    Task PublishAsync(ClusterTopic topic, string key, CancellationToken cancellationToken);

    /// <summary>Calls <paramref name="handler"/> for every signal until cancelled, reconnecting after failures.</summary>
    Task ListenAsync(Func<ClusterTopic, string, Task> handler, CancellationToken cancellationToken);
}
