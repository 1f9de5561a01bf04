using Kiln.Core.Cluster;
using Kiln.Storage.Entities;
using Microsoft.EntityFrameworkCore;

namespace Kiln.Storage.Stores;

/// <summary>
/// Leases on EF Core, with single conditional UPDATEs so that two replicas racing for a lapsed lease
/// cannot both win on either provider: renew (still ours), else take over (lapsed), else create it.
/// </summary>
public sealed class EfLeaseStore(IDbContextFactory<KilnDbContext> contexts) : ILeaseStore
{
    public async Task<bool> TryAcquireAsync(string name, string holder, DateTimeOffset now, TimeSpan duration, CancellationToken cancellationToken)
    {
        var expires = now + duration;
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        if (await db.Leases.Where(l => l.Name == name && l.Holder == holder)
                .ExecuteUpdateAsync(set => set.SetProperty(l => l.ExpiresAt, expires), cancellationToken) == 1)
        {
            return true;
        }

        if (await db.Leases.Where(l => l.Name == name && l.ExpiresAt < now)
                .ExecuteUpdateAsync(set => set.SetProperty(l => l.Holder, holder).SetProperty(l => l.AcquiredAt, now).SetProperty(l => l.ExpiresAt, expires), cancellationToken) == 1)
        {
            return true;
        }

        if (await db.Leases.AnyAsync(l => l.Name == name, cancellationToken))
        {
            return false;
        }

        db.Leases.Add(new LeaseEntity { Name = name, Holder = holder, AcquiredAt = now, ExpiresAt = expires });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return true;
        }
        catch (DbUpdateException)
        {
            return false; // another replica created it first
        }
    }

    public async Task ReleaseAsync(string name, string holder, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await db.Leases.Where(l => l.Name == name && l.Holder == holder)
            .ExecuteUpdateAsync(set => set.SetProperty(l => l.ExpiresAt, DateTimeOffset.UnixEpoch), cancellationToken);
    }

    public async Task<Lease?> GetAsync(string name, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var lease = await db.Leases.AsNoTracking().SingleOrDefaultAsync(l => l.Name == name, cancellationToken);
        return lease is null ? null : new Lease(lease.Name, lease.Holder, lease.AcquiredAt, lease.ExpiresAt);
    }
}
