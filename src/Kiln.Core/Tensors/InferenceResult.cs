namespace Kiln.Core.Tensors;

/// <summary>A model's outputs for one batch.</summary>
public sealed class InferenceResult
{
    /// <summary>Creates a result.</summary>
    public InferenceResult(IReadOnlyList<Tensor> outputs) => Outputs = outputs;

    /// <summary>The output tensors in the signature's order (or the requested subset).</summary>
    public IReadOnlyList<Tensor> Outputs { get; }
}
