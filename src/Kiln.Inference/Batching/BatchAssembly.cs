using Kiln.Core.Tensors;

namespace Kiln.Inference.Batching;

/// <summary>
/// Joins several requests' input tensors into one batch along the row dimension, and cuts the model's
/// outputs back into each request's own rows, in the order the requests were joined.
/// </summary>
internal static class BatchAssembly
{
    /// <summary>Whether <paramref name="next"/> can share a model call with <paramref name="first"/>: the same outputs wanted and the same shape per row.</summary>
    public static bool CanJoin(PendingRequest first, PendingRequest next)
    {
        if (!SameOutputs(first.Outputs, next.Outputs) || first.Batch.Inputs.Count != next.Batch.Inputs.Count)
        {
            return false;
        }

        for (var i = 0; i < first.Batch.Inputs.Count; i++)
        {
            var a = first.Batch.Inputs[i];
            var b = next.Batch.Inputs[i];
            if (a.DataType != b.DataType || a.Shape.Length == 0 || !a.Shape.AsSpan(1).SequenceEqual(b.Shape.AsSpan(1)))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>One batch holding every request's rows, first request first.</summary>
    public static InferenceBatch Concatenate(IReadOnlyList<PendingRequest> requests, int rows)
    {
        var template = requests[0].Batch.Inputs;
        var inputs = new Tensor[template.Count];
        for (var i = 0; i < inputs.Length; i++)
        {
            var length = 0;
            foreach (var request in requests)
            {
                length += request.Batch.Inputs[i].Length;
            }

            var data = Array.CreateInstanceFromArrayType(template[i].Data.GetType(), length);
            var offset = 0;
            foreach (var request in requests)
            {
                var part = request.Batch.Inputs[i];
                Array.Copy(part.Data, 0, data, offset, part.Length);
                offset += part.Length;
            }

            var shape = (long[])template[i].Shape.Clone();
            shape[0] = rows;
            inputs[i] = new Tensor(template[i].Name, template[i].DataType, shape, data, length);
        }

        return new InferenceBatch(inputs, rows);
    }

    /// <summary>
    /// Gives every request its own rows of <paramref name="combined"/>. False (nothing given) when an output does not
    /// have one entry per row of the batch, so it cannot be cut per request.
    /// </summary>
    public static bool TrySplit(InferenceResult combined, IReadOnlyList<PendingRequest> requests, int rows)
    {
        foreach (var output in combined.Outputs)
        {
            if (output.Shape.Length == 0 || output.Shape[0] != rows || output.Length % Math.Max(rows, 1) != 0)
            {
                return false;
            }
        }

        var offset = 0;
        foreach (var request in requests)
        {
            var own = request.Batch.Rows;
            var outputs = new Tensor[combined.Outputs.Count];
            for (var o = 0; o < outputs.Length; o++)
            {
                var output = combined.Outputs[o];
                var perRow = output.Length / rows;
                var data = Array.CreateInstanceFromArrayType(output.Data.GetType(), own * perRow);
                Array.Copy(output.Data, offset * perRow, data, 0, own * perRow);
                var shape = (long[])output.Shape.Clone();
                shape[0] = own;
                outputs[o] = new Tensor(output.Name, output.DataType, shape, data, own * perRow) { Labels = output.Labels };
            }

            request.Complete(new InferenceResult(outputs));
            offset += own;
        }

        return true;
    }

    private static bool SameOutputs(IReadOnlyList<string>? a, IReadOnlyList<string>? b)
    {
        if (ReferenceEquals(a, b))
        {
            return true;
        }

        if (a is null || b is null || a.Count != b.Count)
        {
            return false;
        }

        for (var i = 0; i < a.Count; i++)
        {
            if (!string.Equals(a[i], b[i], StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }
}
