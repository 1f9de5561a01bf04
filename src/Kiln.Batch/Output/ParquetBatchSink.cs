using Kiln.Batch.Scoring;
using Kiln.Core.Tensors;
using Parquet;
using Parquet.Schema;

namespace Kiln.Batch.Output;

/// <summary>
/// Writes scored rows as Parquet, one row group per chunk: <c>request_id</c> (string), <c>row</c> (int64),
/// <c>model_version</c> (int32), the kept columns with their input types (strings from CSV), then the outputs typed
/// (float, double, int64, boolean or string). Columns are gathered on the scoring threads.
/// </summary>
internal sealed class ParquetBatchSink(Stream output, string batchId, int version, IReadOnlyList<string> keep) : IBatchSink
{
    private ParquetWriter? _writer;
    private DataField[] _fields = [];
    private IReadOnlyList<string>? _columns;

    public IReadOnlyList<string> Columns => _columns ?? [];

    public object? Format(ScoredChunk scored)
    {
        if (scored.Result is not { } result || scored.Layout is not { } layout)
        {
            return null;
        }

        var chunk = scored.Chunk;
        var rows = scored.Scored;
        var columns = new List<Array>
        {
            Enumerable.Repeat(batchId, rows.Length).ToArray(),
            rows.Select(r => chunk.FirstRow + r).ToArray(),
            Enumerable.Repeat(version, rows.Length).ToArray(),
        };
        var types = new List<Type>();
        foreach (var column in chunk.File.Binding.KeptColumns)
        {
            columns.Add(chunk.Gather(column, rows));
            types.Add(chunk.KeptColumnType(column));
        }

        foreach (var column in layout.Columns)
        {
            columns.Add(Gather(result.Outputs[column.Tensor], column, rows.Length));
        }

        return new Part(columns, types);
    }

    public async ValueTask WriteAsync(ScoredChunk scored, object part, CancellationToken cancellationToken)
    {
        var (columns, types) = (Part)part;
        await StartAsync(scored.Layout!, types, cancellationToken).ConfigureAwait(false);
        using var group = _writer!.CreateRowGroup();
        for (var c = 0; c < _fields.Length; c++)
        {
            await WriteColumnAsync(group, _fields[c], columns[c], cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask CompleteAsync(OutputLayout layout, CancellationToken cancellationToken) =>
        await StartAsync(layout, keep.Select(_ => typeof(string)).ToList(), cancellationToken).ConfigureAwait(false);

    public async ValueTask DisposeAsync()
    {
        if (_writer is not null)
        {
            await _writer.DisposeAsync().ConfigureAwait(false);
        }

        await output.DisposeAsync().ConfigureAwait(false);
    }

    private async ValueTask StartAsync(OutputLayout layout, IReadOnlyList<Type> keptTypes, CancellationToken cancellationToken)
    {
        if (_writer is not null)
        {
            return;
        }

        _columns = OutputColumns.Of(keep, layout);
        var fields = new List<DataField>
        {
            new DataField<string>(OutputColumns.RequestId),
            new DataField<long>(OutputColumns.Row),
            new DataField<int>(OutputColumns.ModelVersion),
        };
        for (var k = 0; k < keep.Count; k++)
        {
            fields.Add(Field(keep[k], keptTypes[k]));
        }

        fields.AddRange(layout.Columns.Select(c => Field(c.Name, ClrType(c.DataType))));
        _fields = fields.ToArray();
        _writer = await ParquetWriter.CreateAsync(new ParquetSchema(_fields.Cast<Field>().ToArray()), output, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    private static DataField Field(string name, Type type)
    {
        var underlying = Nullable.GetUnderlyingType(type);
        return underlying is not null
            ? new DataField(name, underlying, isNullable: true)
            : new DataField(name, type, isNullable: type == typeof(string));
    }

    private static Type ClrType(TensorDataType type) => type switch
    {
        TensorDataType.Fp32 or TensorDataType.Fp16 => typeof(float),
        TensorDataType.Fp64 => typeof(double),
        TensorDataType.Bool => typeof(bool),
        TensorDataType.Bytes => typeof(string),
        _ => typeof(long),
    };

    private static Array Gather(Tensor tensor, OutputColumn column, int rows)
    {
        var width = column.Width;
        var at = column.Element;
        switch (tensor.Data)
        {
            case float[] a: return Take(a, rows, width, at);
            case double[] a: return Take(a, rows, width, at);
            case long[] a: return Take(a, rows, width, at);
            case bool[] a: return Take(a, rows, width, at);
            case string[] a: return Take(a, rows, width, at);
            case Half[] a:
                return Enumerable.Range(0, rows).Select(r => (float)a[(r * width) + at]).ToArray();
            default:
                var data = tensor.Data;
                return Enumerable.Range(0, rows).Select(r => Convert.ToInt64(data.GetValue((r * width) + at), System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        }
    }

    private static T[] Take<T>(T[] source, int rows, int width, int at)
    {
        var values = new T[rows];
        for (var r = 0; r < rows; r++)
        {
            values[r] = source[(r * width) + at];
        }

        return values;
    }

    private static Task WriteColumnAsync(ParquetRowGroupWriter group, DataField field, Array values, CancellationToken cancellationToken) => values switch
    {
        string?[] a => group.WriteAsync(field, a!),
        long[] a => group.WriteAsync(field, (ReadOnlyMemory<long>)a, cancellationToken: cancellationToken),
        int[] a => group.WriteAsync(field, (ReadOnlyMemory<int>)a, cancellationToken: cancellationToken),
        float[] a => group.WriteAsync(field, (ReadOnlyMemory<float>)a, cancellationToken: cancellationToken),
        double[] a => group.WriteAsync(field, (ReadOnlyMemory<double>)a, cancellationToken: cancellationToken),
        bool[] a => group.WriteAsync(field, (ReadOnlyMemory<bool>)a, cancellationToken: cancellationToken),
        double?[] a => group.WriteAsync(field, (ReadOnlyMemory<double?>)a, cancellationToken: cancellationToken),
        float?[] a => group.WriteAsync(field, (ReadOnlyMemory<float?>)a, cancellationToken: cancellationToken),
        long?[] a => group.WriteAsync(field, (ReadOnlyMemory<long?>)a, cancellationToken: cancellationToken),
        int?[] a => group.WriteAsync(field, (ReadOnlyMemory<int?>)a, cancellationToken: cancellationToken),
        bool?[] a => group.WriteAsync(field, (ReadOnlyMemory<bool?>)a, cancellationToken: cancellationToken),
        _ => throw new Core.KilnException($"output: a kept column of type {values.GetType().GetElementType()!.Name} cannot be written to Parquet; write CSV, or do not keep '{field.Name}'."),
    };

    private sealed record Part(List<Array> Columns, List<Type> Types);
}
