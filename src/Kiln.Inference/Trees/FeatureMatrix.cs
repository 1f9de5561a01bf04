using Kiln.Core;
using Kiln.Core.Tensors;

namespace Kiln.Inference.Trees;

/// <summary>An FP32 input read as the rows of features a tree ensemble scores.</summary>
internal readonly ref struct FeatureMatrix
{
    private FeatureMatrix(ReadOnlySpan<float> values, int rows, int stride)
    {
        Values = values;
        Rows = rows;
        Stride = stride;
    }

    /// <summary>The rows, one after another.</summary>
    public ReadOnlySpan<float> Values { get; }

    public int Rows { get; }

    /// <summary>Features per row.</summary>
    public int Stride { get; }

    /// <summary>
    /// Reads <paramref name="input"/> (<c>[features]</c> for one row, or <c>[rows, features]</c>); a tensor of another
    /// type or rank, or with fewer features than <paramref name="trees"/> read, is a bad input naming the tensor.
    /// </summary>
    public static FeatureMatrix Of(Tensor input, CompiledTreeEnsemble trees)
    {
        if (input.DataType != TensorDataType.Fp32)
        {
            throw KilnException.Invalid("inputs", $"input '{input.Name}' must be FP32.");
        }

        var (rows, stride) = input.Shape.Length switch
        {
            1 => (1, (int)input.Shape[0]),
            2 => ((int)input.Shape[0], (int)input.Shape[1]),
            _ => throw KilnException.Invalid("inputs", $"input '{input.Name}' must be a matrix [rows, features]; it has {input.Shape.Length} dimensions."),
        };
        if (stride < trees.FeatureCount)
        {
            throw KilnException.Invalid("inputs", $"input '{input.Name}' has {stride} features per row but the trees read feature {trees.FeatureCount - 1}.");
        }

        return new FeatureMatrix(((float[])input.Data).AsSpan(0, rows * stride), rows, stride);
    }
}
