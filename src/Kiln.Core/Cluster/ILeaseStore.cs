namespace Kiln.Core.Cluster;

/// <summary>A named lease in the database: the replica holding it runs the singleton jobs it guards.</summary>
/// <param name="Name">The lease.</param>
/// <param name="Holder">The replica holding it.</param>
/// <param name="AcquiredAt">When the holder took it.</param>
/// <param name="ExpiresAt">When it lapses unless renewed.</param>
public sealed record Lease(string Name, string Holder, DateTimeOffset AcquiredAt, DateTimeOffset ExpiresAt);

/// <summary>Leases held in the shared database, so exactly one replica at a time holds each.</summary>
public interface ILeaseStore
{
    /// <summary>Takes or renews <paramref name="name"/> for <paramref name="holder"/> until <paramref name="now"/> + <paramref name="duration"/>; true when held, false when another replica holds it unexpired.</summary>
    Task<bool> TryAcquireAsync(string name, string holder, DateTimeOffset now, TimeSpan duration, CancellationToken cancellationToken);

    /// <summary>Gives the lease up if <paramref name="holder"/> holds it, so another replica need not wait for it to lapse.</summary>
    Task ReleaseAsync(string name, string holder, CancellationToken cancellationToken);

    /// <summary>The lease as stored, or null if nobody ever took it.</summary>
    Task<Lease?> GetAsync(string name, CancellationToken cancellationToken);
}
