using Kiln.Core.Deployments;
using Kiln.Core.Tensors;
using Kiln.Inference.Batching;
using Kiln.Inference.Runtime;

namespace Kiln.Inference.Serving;

/// <summary>A request's hold on the variant that serves it; disposing it lets a swapped-out model go.</summary>
public readonly struct ModelLease : IDisposable
{
    internal ModelLease(ServedDeployment served, ServedVariant variant)
    {
        Served = served;
        Variant = variant.Variant;
        Model = variant.Model;
        Batcher = variant.Batcher;
        Runtime = variant.Runtime;
    }

    /// <summary>The deployment revision as served when the request arrived (its shadows, its router).</summary>
    public ServedDeployment Served { get; }

    /// <summary>The stored deployment record.</summary>
    public Deployment Deployment => Served.Deployment;

    /// <summary>The variant chosen for this request.</summary>
    public DeploymentVariant Variant { get; }

    /// <summary>The variant's model.</summary>
    public LoadedModel Model { get; }

    /// <summary>What scores the request: the model's runtime, or its reference runtime when the deployment asks for it.</summary>
    public IModelRuntime Runtime { get; }

    /// <summary>The variant's batcher when the deployment batches.</summary>
    public DynamicBatcher? Batcher { get; }

    /// <summary>Scores <paramref name="batch"/> with the variant's model: through its batcher when it has one, else at once on this thread.</summary>
    public ValueTask<InferenceResult> PredictAsync(InferenceBatch batch, IReadOnlyList<string>? outputs, CancellationToken cancellationToken) =>
        Batcher is { } batcher ? batcher.PredictAsync(batch, outputs, cancellationToken) : ValueTask.FromResult(Runtime.Predict(batch, outputs));

    public void Dispose() => Model?.Release();
}
