using System.Text.Json;
using Kiln.Core;
using Kiln.Core.Tensors;

namespace Kiln.Inference.Decoding;

/// <summary>Receives the leaves of a nested JSON array in row-major order.</summary>
internal interface ILeafSink
{
    void Write(int index, JsonElement value);
}

/// <summary>Shapes and flattening of nested JSON arrays (row-major), as tensors are sent in every protocol.</summary>
internal static class JsonNesting
{
    /// <summary>The deepest nesting accepted inside one tensor's data.</summary>
    public const int MaxDepth = 16;

    /// <summary>The shape a nested array describes, read along its first elements.</summary>
    public static long[] InferShape(JsonElement value, string field)
    {
        var dims = new List<long>();
        var node = value;
        while (node.ValueKind == JsonValueKind.Array)
        {
            if (dims.Count == MaxDepth)
            {
                throw KilnException.Invalid(field, $"is nested deeper than {MaxDepth} levels.");
            }

            var length = node.GetArrayLength();
            dims.Add(length);
            if (length == 0)
            {
                break;
            }

            node = node[0];
        }

        return dims.ToArray();
    }

    /// <summary>
    /// Sends the leaves of <paramref name="data"/> to <paramref name="sink"/>, checking them against
    /// <paramref name="shape"/>: data may be flat, or nested along the leading dimensions, but every
    /// nested array must have its dimension's length (no ragged rows) and the count must be exact.
    /// A scalar stands for a one-element tensor.
    /// </summary>
    public static void Flatten<TSink>(JsonElement data, ReadOnlySpan<long> shape, string field, ref TSink sink)
        where TSink : struct, ILeafSink
    {
        var expected = Tensor.ElementCount(shape);
        if (data.ValueKind != JsonValueKind.Array)
        {
            if (expected != 1)
            {
                throw KilnException.Invalid(field, $"has 1 value but its shape calls for {expected}.");
            }

            sink.Write(0, data);
            return;
        }

        var written = 0;
        Walk(data, shape, 0, field, ref sink, ref written);
        if (written != expected)
        {
            throw KilnException.Invalid(field, $"has {written} values but its shape calls for {expected}.");
        }
    }

    private static void Walk<TSink>(JsonElement node, ReadOnlySpan<long> shape, int depth, string field, ref TSink sink, ref int written)
        where TSink : struct, ILeafSink
    {
        var length = node.GetArrayLength();
        if (length > 0 && node[0].ValueKind == JsonValueKind.Array)
        {
            if (depth >= shape.Length - 1 || depth == MaxDepth)
            {
                throw KilnException.Invalid(field, depth == MaxDepth ? $"is nested deeper than {MaxDepth} levels." : "is nested deeper than its shape.");
            }

            if (length != shape[depth])
            {
                throw KilnException.Invalid(field, $"has {length} entries in dimension {depth} but the shape gives {shape[depth]} (rows must all have the same length).");
            }

            foreach (var item in node.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.Array)
                {
                    throw KilnException.Invalid(field, "mixes arrays and single values at one level.");
                }

                Walk(item, shape, depth + 1, field, ref sink, ref written);
            }

            return;
        }

        var remaining = Tensor.ElementCount(shape[depth..]);
        if (length != remaining && depth > 0)
        {
            throw KilnException.Invalid(field, $"has {length} values in a row of dimension {depth} but the shape gives {remaining} (rows must all have the same length).");
        }

        foreach (var item in node.EnumerateArray())
        {
            if (item.ValueKind == JsonValueKind.Array)
            {
                throw KilnException.Invalid(field, "mixes arrays and single values at one level.");
            }

            if (written == int.MaxValue || written >= Tensor.ElementCount(shape))
            {
                throw KilnException.Invalid(field, $"has more than the {Tensor.ElementCount(shape)} values its shape calls for.");
            }

            sink.Write(written, item);
            written++;
        }
    }

    /// <summary>Fails unless exactly <paramref name="expected"/> values were written.</summary>
    public static void EnsureCount(int written, int expected, string field)
    {
        if (written != expected)
        {
            throw KilnException.Invalid(field, $"has {written} values but its shape calls for {expected}.");
        }
    }
}

/// <summary>Writes leaves into a tensor's array, each checked against the input's type.</summary>
internal struct TensorSink(Array target, InputSlot input, string field) : ILeafSink
{
    public readonly void Write(int index, JsonElement value) => BatchBuilder.WriteElement(target, input, index, value, field, index);
}
