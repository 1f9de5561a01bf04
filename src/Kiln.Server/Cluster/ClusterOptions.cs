namespace Kiln.Server.Cluster;

/// <summary>How replicas sharing one database keep in step (<c>Kiln:Cluster</c>).</summary>
public sealed class ClusterOptions
{
    /// <summary>How often each replica compares what it serves with the store, as a safety net under LISTEN/NOTIFY.</summary>
    public TimeSpan ReconcileInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long the singleton-jobs lease lasts unless renewed: a dead holder is replaced within this plus <see cref="LeaseRenewInterval"/>.</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How often the holder renews the lease, and others try to take it.</summary>
    public TimeSpan LeaseRenewInterval { get; set; } = TimeSpan.FromSeconds(5);
}
