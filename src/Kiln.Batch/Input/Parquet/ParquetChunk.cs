using System.Globalization;
using Kiln.Batch.Output;
using Kiln.Core.Tensors;
using Kiln.Inference.Decoding;

namespace Kiln.Batch.Input.Parquet;

/// <summary>
/// A slice of a Parquet row group's typed columns. A cell converts by its column's type: numbers to numeric inputs
/// (null is missing), text through the same parsing as CSV cells, booleans to boolean inputs; anything goes to a
/// string input as its invariant text.
/// </summary>
internal sealed class ParquetChunk(InputFile file, long firstRow, int rows, long bytes, Array?[] columns, int offset)
    : RowChunk(file, firstRow, rows, bytes)
{
    public override bool TryWrite(int row, int column, Array target, TensorDataType type, int index, out string? problem)
    {
        var i = offset + row;
        switch (columns[column])
        {
            case double[] a: return ValueWriter.TryWriteNumber(target, type, index, a[i], out problem);
            case double?[] a: return Number(a[i], target, type, index, out problem);
            case float[] a: return ValueWriter.TryWriteNumber(target, type, index, a[i], out problem);
            case float?[] a: return Number(a[i], target, type, index, out problem);
            case long[] a: return ValueWriter.TryWriteInteger(target, type, index, a[i], out problem);
            case long?[] a: return Integer(a[i], target, type, index, out problem);
            case int[] a: return ValueWriter.TryWriteInteger(target, type, index, a[i], out problem);
            case int?[] a: return Integer(a[i], target, type, index, out problem);
            case string?[] a:
                if (a[i] is { } text)
                {
                    return ValueWriter.TryWriteText(target, type, index, text, out problem);
                }

                return Missing(target, type, index, out problem);
            case bool[] a: return Boolean(a[i], target, type, index, out problem);
            case bool?[] a: return a[i] is { } flag ? Boolean(flag, target, type, index, out problem) : Missing(target, type, index, out problem);
            default:
                return Other(columns[column]!.GetValue(i), target, type, index, out problem);
        }
    }

    public override void WriteCsv(int row, int column, CsvBuffer output)
    {
        var i = offset + row;
        switch (columns[column])
        {
            case double[] a: output.Number(a[i]); break;
            case double?[] a: if (a[i] is { } d) { output.Number(d); } break;
            case float[] a: output.Number(a[i]); break;
            case float?[] a: if (a[i] is { } f) { output.Number(f); } break;
            case long[] a: output.Number(a[i]); break;
            case long?[] a: if (a[i] is { } l) { output.Number(l); } break;
            case int[] a: output.Number(a[i]); break;
            case int?[] a: if (a[i] is { } n) { output.Number(n); } break;
            case string?[] a: output.Text(a[i]); break;
            default: output.Text(Format(columns[column]!.GetValue(i))); break;
        }
    }

    public override Array Gather(int column, ReadOnlySpan<int> rows)
    {
        var source = columns[column]!;
        var values = Array.CreateInstance(source.GetType().GetElementType()!, rows.Length);
        for (var r = 0; r < rows.Length; r++)
        {
            values.SetValue(source.GetValue(offset + rows[r]), r);
        }

        return values;
    }

    public override Type KeptColumnType(int column) => columns[column]!.GetType().GetElementType()!;

    private static bool Number(double? value, Array target, TensorDataType type, int index, out string? problem) =>
        value is { } number ? ValueWriter.TryWriteNumber(target, type, index, number, out problem) : Missing(target, type, index, out problem);

    private static bool Integer(long? value, Array target, TensorDataType type, int index, out string? problem) =>
        value is { } number ? ValueWriter.TryWriteInteger(target, type, index, number, out problem) : Missing(target, type, index, out problem);

    private static bool Boolean(bool value, Array target, TensorDataType type, int index, out string? problem)
    {
        problem = null;
        switch (type)
        {
            case TensorDataType.Bool: ((bool[])target)[index] = value; return true;
            case TensorDataType.Bytes: ((string[])target)[index] = value ? "true" : "false"; return true;
            default:
                problem = "expected a number, got a boolean";
                return false;
        }
    }

    /// <summary>A null cell: missing for a floating-point input (NaN), a problem for any other.</summary>
    private static bool Missing(Array target, TensorDataType type, int index, out string? problem)
    {
        if (type is TensorDataType.Fp32 or TensorDataType.Fp64 or TensorDataType.Fp16)
        {
            return ValueWriter.TryWriteNumber(target, type, index, double.NaN, out problem);
        }

        problem = "is missing";
        return false;
    }

    private static bool Other(object? value, Array target, TensorDataType type, int index, out string? problem) => value switch
    {
        null => Missing(target, type, index, out problem),
        short or sbyte or ushort or byte or uint => ValueWriter.TryWriteInteger(target, type, index, Convert.ToInt64(value, CultureInfo.InvariantCulture), out problem),
        ulong or decimal => ValueWriter.TryWriteNumber(target, type, index, Convert.ToDouble(value, CultureInfo.InvariantCulture), out problem),
        _ when type == TensorDataType.Bytes => ValueWriter.TryWriteText(target, type, index, Format(value)!, out problem),
        _ => Fail($"expected a number, got a {value.GetType().Name}", out problem),
    };

    private static bool Fail(string message, out string? problem)
    {
        problem = message;
        return false;
    }

    private static string? Format(object? value) => value switch
    {
        null => null,
        DateTime t => t.ToString("o", CultureInfo.InvariantCulture),
        DateOnly d => d.ToString("o", CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };
}
