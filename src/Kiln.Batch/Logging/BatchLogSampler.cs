using Kiln.Batch.Scoring;
using Kiln.Core.Tensors;

namespace Kiln.Batch.Logging;

/// <summary>
/// Cuts a scored chunk into blocks of at most <see cref="BlockRows"/> consecutive rows (a bad row ends a block, so a
/// block's rows are numbered without gaps) and keeps each block with the log's sample rate. Whole blocks keep the
/// log to one record per block while sampling every part of the input evenly.
/// </summary>
internal sealed class BatchLogSampler(double rate, int seed)
{
    public const int BlockRows = 256;
    private readonly Random _random = new(seed);

    public long LoggedRows { get; private set; }

    public IEnumerable<BatchPredictions> Blocks(ScoredChunk scored, string batchId)
    {
        if (scored.Inputs is not { } inputs || scored.Result is not { } outputs)
        {
            yield break;
        }

        var rows = scored.Scored;
        var start = 0;
        while (start < rows.Length)
        {
            var end = start + 1;
            while (end < rows.Length && end - start < BlockRows && rows[end] == rows[end - 1] + 1)
            {
                end++;
            }

            if (rate >= 1 || _random.NextDouble() < rate)
            {
                LoggedRows += end - start;
                yield return new BatchPredictions(
                    batchId,
                    scored.Chunk.FirstRow + rows[start],
                    new InferenceBatch(inputs.Inputs.Select(t => Slice(t, inputs.Rows, start, end)).ToArray(), end - start),
                    new InferenceResult(outputs.Outputs.Select(t => Slice(t, rows.Length, start, end)).ToArray()));
            }

            start = end;
        }
    }

    private static Tensor Slice(Tensor tensor, int rows, int start, int end)
    {
        var width = rows == 0 ? 0 : tensor.Length / rows;
        var count = (end - start) * width;
        var data = Array.CreateInstance(tensor.Data.GetType().GetElementType()!, count);
        Array.Copy(tensor.Data, start * width, data, 0, count);
        var shape = (long[])tensor.Shape.Clone();
        shape[0] = end - start;
        return new Tensor(tensor.Name, tensor.DataType, shape, data, count) { Labels = tensor.Labels };
    }
}
