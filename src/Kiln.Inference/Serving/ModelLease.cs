using Kiln.Core.Deployments;

namespace Kiln.Inference.Serving;

/// <summary>A request's hold on the model that serves it; disposing it lets a swapped-out model go.</summary>
public readonly struct ModelLease : IDisposable
{
    internal ModelLease(Deployment deployment, LoadedModel model)
    {
        Deployment = deployment;
        Model = model;
    }

    public Deployment Deployment { get; }

    public LoadedModel Model { get; }

    public void Dispose() => Model?.Release();
}
