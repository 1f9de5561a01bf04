using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using Kiln.Core.Deployments;

namespace Kiln.Inference.Serving;

/// <summary>What the server is serving right now: deployment name → the warm model behind it. Swaps are atomic.</summary>
public sealed class DeploymentTable
{
    private readonly ConcurrentDictionary<string, ServedDeployment> _entries = new(StringComparer.Ordinal);

    public IReadOnlyCollection<ServedDeployment> Entries => (IReadOnlyCollection<ServedDeployment>)_entries.Values;

    public bool TryGet(string name, [NotNullWhen(true)] out ServedDeployment? served) => _entries.TryGetValue(name, out served);

    /// <summary>Leases the model serving <paramref name="name"/>; false when nothing serves that name.</summary>
    public bool TryLease(string name, out ModelLease lease)
    {
        // A model may be swapped out between the read and the acquire; the table then already
        // holds its successor, so reading again always ends.
        while (_entries.TryGetValue(name, out var served))
        {
            if (served.Model.TryAcquire())
            {
                lease = new ModelLease(served.Deployment, served.Model);
                return true;
            }
        }

        lease = default;
        return false;
    }

    /// <summary>Routes <paramref name="served"/>'s name to it and lets go of what served it before.</summary>
    public void Swap(ServedDeployment served)
    {
        ServedDeployment? previous = null;
        _entries.AddOrUpdate(served.Deployment.Name, served, (_, old) =>
        {
            previous = old;
            return served;
        });
        if (previous is not null && !ReferenceEquals(previous.Model, served.Model))
        {
            previous.Model.Release();
        }
    }

    /// <summary>Stops serving a name; its model is disposed after in-flight requests finish.</summary>
    public bool Remove(string name)
    {
        if (_entries.TryRemove(name, out var served))
        {
            served.Model.Release();
            return true;
        }

        return false;
    }
}

/// <summary>A deployment record with the warm model serving it.</summary>
public sealed record ServedDeployment(Deployment Deployment, LoadedModel Model);
