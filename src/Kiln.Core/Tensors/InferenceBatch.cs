namespace Kiln.Core.Tensors;

/// <summary>One decoded request: the model's inputs as columnar tensors, validated against its signature.</summary>
public sealed class InferenceBatch
{
    /// <summary>Creates a batch.</summary>
    public InferenceBatch(IReadOnlyList<Tensor> inputs, int rows)
    {
        Inputs = inputs;
        Rows = rows;
    }

    /// <summary>The input tensors, one per model input, in the signature's order.</summary>
    public IReadOnlyList<Tensor> Inputs { get; }

    /// <summary>The number of rows (the batch dimension).</summary>
    public int Rows { get; }
}
