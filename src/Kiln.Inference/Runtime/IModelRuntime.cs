using Kiln.Core.Packaging;
using Kiln.Core.Tensors;

namespace Kiln.Inference.Runtime;

/// <summary>A loaded model that scores columnar batches. Thread-safe: many requests call <see cref="Predict"/> at once.</summary>
public interface IModelRuntime : IDisposable
{
    /// <summary>The model's inputs and outputs as loaded.</summary>
    ModelSignature Signature { get; }

    /// <summary>Scores a batch; <paramref name="outputs"/> names the outputs wanted (null: all).</summary>
    InferenceResult Predict(InferenceBatch batch, IReadOnlyList<string>? outputs);

    /// <summary>
    /// The runtime of the model's own format that this one stands in for (ONNX Runtime behind the compiled
    /// tree engine), for deployments that ask for it; a runtime with none returns itself.
    /// </summary>
    IModelRuntime ReferenceRuntime => this;
}
