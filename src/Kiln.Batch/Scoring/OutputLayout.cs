using System.Globalization;
using Kiln.Core.Packaging;
using Kiln.Core.Tensors;

namespace Kiln.Batch.Scoring;

/// <summary>
/// The output columns a model's result becomes: one per output with one value per row (<c>label</c>), and one per
/// element of a wider output, named by its class label when the output has them (<c>probabilities_yes</c>) or by
/// position (<c>embedding_0</c>).
/// </summary>
internal sealed class OutputLayout
{
    private OutputLayout(IReadOnlyList<OutputColumn> columns) => Columns = columns;

    public IReadOnlyList<OutputColumn> Columns { get; }

    public static OutputLayout Of(InferenceResult result, int rows)
    {
        var columns = new List<OutputColumn>();
        for (var t = 0; t < result.Outputs.Count; t++)
        {
            var tensor = result.Outputs[t];
            var width = rows == 0 ? 1 : tensor.Length / rows;
            Add(columns, t, tensor.Name, tensor.DataType, width, tensor.Labels);
        }

        return new OutputLayout(columns);
    }

    /// <summary>The layout as far as the signature tells it, for a batch in which no row could be scored.</summary>
    public static OutputLayout Of(ModelSignature signature)
    {
        var columns = new List<OutputColumn>();
        for (var t = 0; t < signature.Outputs.Count; t++)
        {
            var spec = signature.Outputs[t];
            long width = 1;
            foreach (var dim in spec.Shape.Skip(1))
            {
                width *= Math.Max(dim, 1);
            }

            Add(columns, t, spec.Name, spec.DataType, (int)width, null);
        }

        return new OutputLayout(columns);
    }

    private static void Add(List<OutputColumn> columns, int tensor, string name, TensorDataType type, int width, IReadOnlyList<string>? labels)
    {
        if (width == 1)
        {
            columns.Add(new OutputColumn(name, tensor, 0, width, type));
            return;
        }

        for (var e = 0; e < width; e++)
        {
            var suffix = labels is not null && labels.Count == width ? labels[e] : e.ToString(CultureInfo.InvariantCulture);
            columns.Add(new OutputColumn($"{name}_{suffix}", tensor, e, width, type));
        }
    }
}

/// <summary>One output column: element <paramref name="Element"/> of each row's <paramref name="Width"/> values of output <paramref name="Tensor"/>.</summary>
internal sealed record OutputColumn(string Name, int Tensor, int Element, int Width, TensorDataType DataType);
