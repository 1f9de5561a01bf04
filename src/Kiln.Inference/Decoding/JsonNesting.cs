using System.Text.Json;
using Kiln.Core;

namespace Kiln.Inference.Decoding;

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
    /// Writes the leaves of <paramref name="value"/> (an array, nested or flat, or a scalar) into
    /// <paramref name="target"/> from <paramref name="start"/>; returns how many were written, failing
    /// once more than <paramref name="expected"/> arrive.
    /// </summary>
    public static int Flatten(Array target, InputSlot input, JsonElement value, int start, int expected, string field)
    {
        var written = 0;
        Walk(target, input, value, start, expected, field, 0, ref written);
        return written;
    }

    private static void Walk(Array target, InputSlot input, JsonElement node, int start, int expected, string field, int depth, ref int written)
    {
        if (node.ValueKind == JsonValueKind.Array)
        {
            if (depth == MaxDepth)
            {
                throw KilnException.Invalid(field, $"is nested deeper than {MaxDepth} levels.");
            }

            foreach (var item in node.EnumerateArray())
            {
                Walk(target, input, item, start, expected, field, depth + 1, ref written);
            }

            return;
        }

        if (written == expected)
        {
            throw KilnException.Invalid(field, $"has more than the {expected} values its shape calls for.");
        }

        BatchBuilder.WriteElement(target, input, start + written, node, field, written);
        written++;
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
