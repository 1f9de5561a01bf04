using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;

namespace Kiln.Inference.Serving;

/// <summary>
/// What the server is serving right now: deployment name → the served revision with its warm
/// variants. Swaps are atomic; the table holds one reference on every served variant's model and
/// gives it back when the revision is swapped out, so a model leaves memory after its last request.
/// </summary>
public sealed class DeploymentTable
{
    private readonly ConcurrentDictionary<string, ServedDeployment> _entries = new(StringComparer.Ordinal);

    public IReadOnlyCollection<ServedDeployment> Entries => (IReadOnlyCollection<ServedDeployment>)_entries.Values;

    public bool TryGet(string name, [NotNullWhen(true)] out ServedDeployment? served) => _entries.TryGetValue(name, out served);

    /// <summary>Leases a variant of <paramref name="name"/> by weighted draw; false when nothing serves that name.</summary>
    public bool TryLease(string name, out ModelLease lease) => TryLease(name, default, out lease);

    /// <summary>Leases the variant that should serve a request to <paramref name="name"/>; false when nothing serves that name.</summary>
    public bool TryLease(string name, ReadOnlySpan<char> routingKey, out ModelLease lease)
    {
        // A revision may be swapped out between the read and the acquire; the table then already
        // holds its successor, so reading again always ends.
        while (_entries.TryGetValue(name, out var served))
        {
            var variant = served.Pick(routingKey);
            if (variant.Model.TryAcquire())
            {
                lease = new ModelLease(served, variant);
                return true;
            }
        }

        lease = default;
        return false;
    }

    /// <summary>Leases the variant of <paramref name="name"/> that serves model version <paramref name="version"/> (shadows too).</summary>
    public LeaseByVersion TryLeaseVersion(string name, int version, out ModelLease lease)
    {
        while (_entries.TryGetValue(name, out var served))
        {
            if (served.ByVersion(version) is not { } variant)
            {
                lease = default;
                return LeaseByVersion.NoSuchVersion;
            }

            if (variant.Model.TryAcquire())
            {
                lease = new ModelLease(served, variant);
                return LeaseByVersion.Leased;
            }
        }

        lease = default;
        return LeaseByVersion.NoDeployment;
    }

    /// <summary>Leases a shadow variant of a revision already leased (false once it has been released).</summary>
    public static bool TryLeaseShadow(ServedDeployment served, ServedVariant shadow, out ModelLease lease)
    {
        if (shadow.Model.TryAcquire())
        {
            lease = new ModelLease(served, shadow);
            return true;
        }

        lease = default;
        return false;
    }

    /// <summary>Serves <paramref name="served"/> under its name and lets go of the revision served before.</summary>
    public void Swap(ServedDeployment served)
    {
        ServedDeployment? previous = null;
        _entries.AddOrUpdate(served.Deployment.Name, served, (_, old) =>
        {
            previous = old;
            return served;
        });
        if (previous is not null && !ReferenceEquals(previous, served))
        {
            ReleaseAll(previous);
        }
    }

    /// <summary>Stops serving a name; its models are disposed after in-flight requests finish.</summary>
    public bool Remove(string name)
    {
        if (_entries.TryRemove(name, out var served))
        {
            ReleaseAll(served);
            return true;
        }

        return false;
    }

    private static void ReleaseAll(ServedDeployment served)
    {
        foreach (var variant in served.Variants)
        {
            variant.Model.Release();
        }
    }
}

/// <summary>What <see cref="DeploymentTable.TryLeaseVersion"/> found.</summary>
public enum LeaseByVersion
{
    /// <summary>The version serves in the deployment; the lease holds it.</summary>
    Leased,

    /// <summary>No deployment of that name is served.</summary>
    NoDeployment,

    /// <summary>The deployment is served, but no variant of it is that version.</summary>
    NoSuchVersion,
}
