using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using Kiln.Batch.Scoring;
using Kiln.Core.Tensors;

namespace Kiln.Batch.Output;

/// <summary>
/// Writes scored rows as CSV: <c>request_id,row,model_version</c>, the kept columns as they were, then the outputs.
/// Each chunk's rows are formatted into one buffer on its scoring thread; this writer only copies buffers out.
/// </summary>
internal sealed class CsvBatchSink(Stream output, string batchId, int version, IReadOnlyList<string> keep) : IBatchSink
{
    private readonly byte[] _prefix = Prefix(batchId);
    private readonly byte[] _version = Encoding.UTF8.GetBytes(version.ToString(CultureInfo.InvariantCulture));
    private IReadOnlyList<string>? _columns;

    public IReadOnlyList<string> Columns => _columns ?? [];

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // runs once per chunk for a long time: optimised from the first call
    public object? Format(ScoredChunk scored)
    {
        if (scored.Result is not { } result || scored.Layout is not { } layout)
        {
            return null;
        }

        var chunk = scored.Chunk;
        var kept = Runs(chunk.File.Binding.KeptColumns);
        var rows = scored.Scored;
        var buffer = new CsvBuffer(rows.Length * 64);
        var columns = layout.Columns;
        var outputs = result.Outputs;
        for (var i = 0; i < rows.Length; i++)
        {
            buffer.Raw(_prefix);
            buffer.Number(chunk.FirstRow + rows[i]);
            buffer.Comma();
            buffer.Raw(_version);
            foreach (var (first, last) in kept)
            {
                buffer.Comma();
                chunk.WriteCsvRun(rows[i], first, last, buffer);
            }

            foreach (var column in columns)
            {
                buffer.Comma();
                WriteValue(buffer, outputs[column.Tensor], (i * column.Width) + column.Element);
            }

            buffer.EndRow();
        }

        return buffer;
    }

    public async ValueTask WriteAsync(ScoredChunk scored, object part, CancellationToken cancellationToken)
    {
        using var buffer = (CsvBuffer)part;
        await WriteHeaderAsync(scored.Layout!, cancellationToken).ConfigureAwait(false);
        await output.WriteAsync(buffer.Written, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask CompleteAsync(OutputLayout layout, CancellationToken cancellationToken)
    {
        await WriteHeaderAsync(layout, cancellationToken).ConfigureAwait(false);
        await output.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    public ValueTask DisposeAsync() => output.DisposeAsync();

    private async ValueTask WriteHeaderAsync(OutputLayout layout, CancellationToken cancellationToken)
    {
        if (_columns is not null)
        {
            return;
        }

        _columns = OutputColumns.Of(keep, layout);
        using var header = new CsvBuffer(256);
        for (var c = 0; c < _columns.Count; c++)
        {
            if (c > 0)
            {
                header.Comma();
            }

            header.Text(_columns[c]);
        }

        header.EndRow();
        await output.WriteAsync(header.Written, cancellationToken).ConfigureAwait(false);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void WriteValue(CsvBuffer buffer, Tensor tensor, int index)
    {
        switch (tensor.Data)
        {
            case float[] a: buffer.Number(a[index]); break;
            case double[] a: buffer.Number(a[index]); break;
            case long[] a: buffer.Number(a[index]); break;
            case int[] a: buffer.Number(a[index]); break;
            case string[] a: buffer.Text(a[index]); break;
            case bool[] a: buffer.Boolean(a[index]); break;
            case Half[] a: buffer.Number((float)a[index]); break;
            default: buffer.Text(Convert.ToString(tensor.Data.GetValue(index), CultureInfo.InvariantCulture)); break;
        }
    }

    /// <summary>The kept columns as runs of columns next to each other in the file, in the order asked for.</summary>
    private static (int First, int Last)[] Runs(int[] kept)
    {
        var runs = new List<(int First, int Last)>();
        foreach (var column in kept)
        {
            if (runs.Count > 0 && runs[^1].Last + 1 == column)
            {
                runs[^1] = (runs[^1].First, column);
            }
            else
            {
                runs.Add((column, column));
            }
        }

        return runs.ToArray();
    }

    private static byte[] Prefix(string batchId)
    {
        using var buffer = new CsvBuffer(64);
        buffer.Text(batchId);
        buffer.Comma();
        return buffer.Written.ToArray();
    }
}
