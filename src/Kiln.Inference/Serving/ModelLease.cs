using Kiln.Core.Deployments;

namespace Kiln.Inference.Serving;

/// <summary>A request's hold on the variant that serves it; disposing it lets a swapped-out model go.</summary>
public readonly struct ModelLease : IDisposable
{
    internal ModelLease(ServedDeployment served, ServedVariant variant)
    {
        Served = served;
        Variant = variant.Variant;
        Model = variant.Model;
    }

    /// <summary>The deployment revision as served when the request arrived (its shadows, its router).</summary>
    public ServedDeployment Served { get; }

    /// <summary>The stored deployment record.</summary>
    public Deployment Deployment => Served.Deployment;

    /// <summary>The variant chosen for this request.</summary>
    public DeploymentVariant Variant { get; }

    /// <summary>The variant's model.</summary>
    public LoadedModel Model { get; }

    public void Dispose() => Model?.Release();
}
