using System.Runtime.CompilerServices;
using Kiln.Batch.Input;
using Kiln.Core.Batch;
using Kiln.Core.Tensors;
using Kiln.Inference.Decoding;
using Kiln.Inference.Runtime;

namespace Kiln.Batch.Scoring;

/// <summary>
/// Turns a chunk into the model's columnar inputs, row by row into typed arrays, leaving out (and naming) each row
/// with a malformed record or a cell of the wrong type, then scores the rest in one call. Should the model refuse
/// the call, rows are scored one at a time to find which ones it refuses, and the others are scored again together.
/// </summary>
internal sealed class ChunkScorer(IModelRuntime runtime, InputLayout layout)
{
    private OutputLayout? _layout;

    /// <summary>The output layout, once any chunk has had a row scored.</summary>
    public OutputLayout? Layout => Volatile.Read(ref _layout);

    public ScoredChunk Score(RowChunk chunk)
    {
        chunk.Prepare();
        var bad = new List<BadRow>();
        var (decoded, scored) = Decode(chunk, bad);
        if (decoded is null)
        {
            return new ScoredChunk(chunk, scored, null, null, null, bad);
        }

        InferenceResult result;
        try
        {
            result = runtime.Predict(decoded, null);
        }
        catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException)
        {
            var (kept, keptRows, all) = Isolate(chunk, decoded, scored, bad);
            if (kept is null)
            {
                return new ScoredChunk(chunk, keptRows, null, null, null, all);
            }

            scored = keptRows;
            bad = all;
            decoded = kept;
            result = runtime.Predict(kept, null);
        }

        var layout = Volatile.Read(ref _layout) ?? Interlocked.CompareExchange(ref _layout, OutputLayout.Of(result, scored.Length), null) ?? _layout!;
        return new ScoredChunk(chunk, scored, decoded, result, layout, bad);
    }

    /// <summary>
    /// Decodes column by column into arrays laid out by chunk row, marking rows bad as cells fail (the first failing
    /// field, in the layout's order, names the problem); if any row is bad, the good rows are moved up afterwards.
    /// </summary>
    private (InferenceBatch? Batch, int[] Scored) Decode(RowChunk chunk, List<BadRow> bad)
    {
        var inputs = layout.Inputs;
        var rows = chunk.Rows;
        var arrays = new Array[inputs.Length];
        for (var i = 0; i < inputs.Length; i++)
        {
            arrays[i] = ValueWriter.Allocate(inputs[i].Spec.DataType, rows * inputs[i].ElementsPerRow);
        }

        var problems = new string?[rows];
        var failedField = new int[rows];
        var badCount = 0;
        for (var row = 0; row < rows; row++)
        {
            if (chunk.RecordProblem(row) is { } recordProblem)
            {
                problems[row] = recordProblem;
                failedField[row] = -1;
                badCount++;
            }
        }

        var fields = layout.RequiredFields;
        var columns = chunk.File.Binding.FieldColumns;
        for (var f = 0; f < fields.Count; f++)
        {
            var field = fields[f];
            var input = inputs[field.InputIndex];
            var marked = chunk.WriteColumn(columns[f], arrays[field.InputIndex], input.Spec.DataType, input.ElementsPerRow, field.Offset, problems);
            if (marked > 0)
            {
                for (var row = 0; row < rows; row++)
                {
                    if (problems[row] is not null && failedField[row] == 0)
                    {
                        failedField[row] = f + 1;
                    }
                }

                badCount += marked;
            }
        }

        if (badCount == 0)
        {
            return (Build(arrays, rows), Enumerable.Range(0, rows).ToArray());
        }

        var scored = new int[rows - badCount];
        var good = 0;
        for (var row = 0; row < rows; row++)
        {
            if (problems[row] is { } problem)
            {
                var column = failedField[row] > 0 ? fields[failedField[row] - 1].Name : null;
                bad.Add(new BadRow(chunk.FirstRow + row, chunk.File.Name, column, problem));
                continue;
            }

            if (good != row)
            {
                foreach (var input in inputs)
                {
                    Array.Copy(arrays[input.Index], row * input.ElementsPerRow, arrays[input.Index], good * input.ElementsPerRow, input.ElementsPerRow);
                }
            }

            scored[good++] = row;
        }

        return good == 0 ? (null, scored) : (Build(arrays, good), scored);
    }

    private InferenceBatch Build(Array[] arrays, int rows)
    {
        var tensors = new Tensor[arrays.Length];
        foreach (var input in layout.Inputs)
        {
            var shape = new long[Math.Max(1, input.Spec.Shape.Count)];
            shape[0] = rows;
            for (var d = 1; d < shape.Length; d++)
            {
                shape[d] = input.Spec.Shape[d] >= 0 ? input.Spec.Shape[d] : input.ElementsPerRow;
            }

            tensors[input.Index] = new Tensor(input.Spec.Name, input.Spec.DataType, shape, arrays[input.Index], rows * input.ElementsPerRow);
        }

        return new InferenceBatch(tensors, rows);
    }

    /// <summary>Scores each row alone; rows the model refuses become bad rows, and the rest form a new batch.</summary>
    private (InferenceBatch? Batch, int[] Scored, List<BadRow> Bad) Isolate(RowChunk chunk, InferenceBatch batch, int[] scored, List<BadRow> bad)
    {
        var keep = new List<int>();
        var refused = new List<BadRow>();
        for (var i = 0; i < scored.Length; i++)
        {
            try
            {
                runtime.Predict(Select(batch, [i]), null);
                keep.Add(i);
            }
            catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException)
            {
                refused.Add(new BadRow(chunk.FirstRow + scored[i], chunk.File.Name, null, $"the model refused it: {e.Message}"));
            }
        }

        var all = bad.Concat(refused).OrderBy(b => b.Row).ToList();
        var kept = keep.Select(i => scored[i]).ToArray();
        return keep.Count == 0 ? (null, kept, all) : (Select(batch, keep.ToArray()), kept, all);
    }

    /// <summary>A batch of some rows of another, copied.</summary>
    private InferenceBatch Select(InferenceBatch batch, int[] rows)
    {
        var arrays = new Array[batch.Inputs.Count];
        foreach (var input in layout.Inputs)
        {
            var source = batch.Inputs[input.Index].Data;
            var width = input.ElementsPerRow;
            var target = ValueWriter.Allocate(input.Spec.DataType, rows.Length * width);
            for (var r = 0; r < rows.Length; r++)
            {
                Array.Copy(source, rows[r] * width, target, r * width, width);
            }

            arrays[input.Index] = target;
        }

        return Build(arrays, rows.Length);
    }
}
