using System.Globalization;
using System.Text;
using System.Text.Json;
using Kiln.Core;
using Kiln.Core.Tensors;

namespace Kiln.Inference.Decoding;

/// <summary>
/// Assembles one columnar <see cref="InferenceBatch"/> from a decoded request, either tensor by
/// tensor (V2, MLflow <c>inputs</c>) or record by record (V1 <c>instances</c>, MLflow dataframes, CSV).
/// Every element is checked as it is written, and <see cref="Build"/> checks that nothing is missing.
/// </summary>
internal sealed class BatchBuilder
{
    private readonly InputLayout _layout;
    private readonly Array?[] _data;
    private readonly long[]?[] _shapes;
    private readonly int[]?[] _written;
    private int _rows = -1;

    public BatchBuilder(InputLayout layout)
    {
        _layout = layout;
        var count = layout.Inputs.Length;
        _data = new Array?[count];
        _shapes = new long[]?[count];
        _written = new int[]?[count];
    }

    public InputLayout Layout => _layout;

    public int Rows => _rows;

    /// <summary>Starts an input sent as a whole tensor; returns the array its elements go into.</summary>
    public Array BeginInput(InputSlot input, ReadOnlySpan<long> shape, string field)
    {
        if (_data[input.Index] is not null)
        {
            throw KilnException.Invalid(field, $"input '{input.Spec.Name}' is given more than once.");
        }

        var tensorShape = ResolveShape(input, shape, field);
        SetRows(checked((int)tensorShape[0]), field);
        var length = checked((int)Tensor.ElementCount(tensorShape));
        var data = ValueWriter.Allocate(input.Spec.DataType, length);
        _data[input.Index] = data;
        _shapes[input.Index] = tensorShape;
        return data;
    }

    /// <summary>Starts record-style decoding of <paramref name="rows"/> rows: every input gets its storage.</summary>
    public void BeginRows(int rows, string field)
    {
        SetRows(rows, field);
        foreach (var input in _layout.Inputs)
        {
            if (input.ElementsPerRow < 0)
            {
                throw KilnException.Invalid(field, $"input '{input.Spec.Name}' has a dynamic shape {FormatShape(input.Spec.Shape)}, so it cannot be sent as records; send it as a tensor.");
            }

            var shape = new long[Math.Max(1, input.Spec.Shape.Count)];
            shape[0] = rows;
            for (var d = 1; d < shape.Length; d++)
            {
                shape[d] = input.Spec.Shape[d] >= 0 ? input.Spec.Shape[d] : input.ElementsPerRow;
            }

            _data[input.Index] = ValueWriter.Allocate(input.Spec.DataType, rows * input.ElementsPerRow);
            _shapes[input.Index] = shape;
            var written = new int[input.ElementsPerRow];
            Array.Fill(written, -1);
            _written[input.Index] = written;
        }
    }

    /// <summary>Writes element <paramref name="index"/> of a tensor; an error names <c>{field}[{element}]</c>.</summary>
    public static void WriteElement(Array target, InputSlot input, int index, JsonElement value, string field, int element)
    {
        if (!ValueWriter.TryWrite(target, input.Spec.DataType, index, value, out var problem))
        {
            throw KilnException.Invalid(string.Create(CultureInfo.InvariantCulture, $"{field}[{element}]"), problem!);
        }
    }

    /// <summary>
    /// Writes value <paramref name="element"/> of a field for a row of a record-style request; an error
    /// names the field through <paramref name="naming"/>, formatted with (row, field name, element).
    /// </summary>
    public void WriteField(FieldSlot slot, int row, int element, JsonElement value, CompositeFormat naming)
    {
        var input = _layout.Inputs[slot.InputIndex];
        var offset = slot.Offset + element;
        if (_written[slot.InputIndex]![offset] == row)
        {
            throw KilnException.Invalid(string.Format(CultureInfo.InvariantCulture, naming, row, slot.Name, element), "is given more than once.");
        }

        if (!ValueWriter.TryWrite(_data[slot.InputIndex]!, input.Spec.DataType, (row * input.ElementsPerRow) + offset, value, out var problem))
        {
            throw KilnException.Invalid(string.Format(CultureInfo.InvariantCulture, naming, row, slot.Name, element), problem!);
        }

        _written[slot.InputIndex]![offset] = row;
    }

    /// <summary>Writes one CSV cell of a field for a row; an error names the row counting from 1, as people count data lines.</summary>
    public void WriteFieldText(FieldSlot slot, int row, string text, CompositeFormat naming)
    {
        var input = _layout.Inputs[slot.InputIndex];
        if (_written[slot.InputIndex]![slot.Offset] == row)
        {
            throw KilnException.Invalid(string.Format(CultureInfo.InvariantCulture, naming, row + 1, slot.Name, 0), "is given more than once.");
        }

        if (!ValueWriter.TryWriteText(_data[slot.InputIndex]!, input.Spec.DataType, (row * input.ElementsPerRow) + slot.Offset, text, out var problem))
        {
            throw KilnException.Invalid(string.Format(CultureInfo.InvariantCulture, naming, row + 1, slot.Name, 0), problem!);
        }

        _written[slot.InputIndex]![slot.Offset] = row;
    }

    /// <summary>Checks that a record gave every field; names the first missing one.</summary>
    public void EnsureRowComplete(int row, string field)
    {
        foreach (var input in _layout.Inputs)
        {
            var written = _written[input.Index]!;
            for (var offset = 0; offset < written.Length; offset++)
            {
                if (written[offset] != row)
                {
                    var name = input.Spec.Columns is { } columns ? columns[offset] : input.Spec.Name;
                    throw KilnException.Invalid(field, $"missing field '{name}' (expected: {_layout.DescribeFields()}).");
                }
            }
        }
    }

    public InferenceBatch Build()
    {
        var tensors = new Tensor[_layout.Inputs.Length];
        foreach (var input in _layout.Inputs)
        {
            var data = _data[input.Index]
                ?? throw KilnException.Invalid("inputs", $"missing input '{input.Spec.Name}' (the model takes: {_layout.DescribeInputs()}).");
            tensors[input.Index] = new Tensor(input.Spec.Name, input.Spec.DataType, _shapes[input.Index]!, data, data.Length);
        }

        return new InferenceBatch(tensors, _rows);
    }

    private void SetRows(int rows, string field)
    {
        if (rows <= 0)
        {
            throw KilnException.Invalid(field, "has no rows.");
        }

        if (_rows >= 0 && rows != _rows)
        {
            throw KilnException.Invalid(field, $"has {rows} rows but an earlier input has {_rows}; every input needs the same number of rows.");
        }

        _rows = rows;
    }

    private static long[] ResolveShape(InputSlot input, ReadOnlySpan<long> shape, string field)
    {
        var spec = input.Spec.Shape;
        if (shape.Length == 0)
        {
            throw KilnException.Invalid(field, "shape must have at least one dimension (the rows).");
        }

        foreach (var dim in shape)
        {
            if (dim < 0)
            {
                throw KilnException.Invalid(field, "shape dimensions cannot be negative.");
            }
        }

        if (spec.Count > 0 && spec[0] > 0 && shape[0] != spec[0])
        {
            throw KilnException.Invalid(field, $"shape {FormatShape(shape)} has {shape[0]} rows but the model takes exactly {spec[0]} (shape {FormatShape(spec)}).");
        }

        if (input.ElementsPerRow >= 0)
        {
            var perRow = Tensor.ElementCount(shape[1..]);
            if (perRow != input.ElementsPerRow)
            {
                throw KilnException.Invalid(field, $"shape {FormatShape(shape)} does not fit input '{input.Spec.Name}' of shape {FormatShape(spec)} ({input.ElementsPerRow} values per row).");
            }

            if (shape.Length == spec.Count)
            {
                return shape.ToArray();
            }

            var resolved = new long[Math.Max(1, spec.Count)];
            resolved[0] = shape[0];
            for (var d = 1; d < resolved.Length; d++)
            {
                resolved[d] = spec[d] >= 0 ? spec[d] : input.ElementsPerRow;
            }

            return resolved;
        }

        if (shape.Length != spec.Count)
        {
            throw KilnException.Invalid(field, $"shape {FormatShape(shape)} has {shape.Length} dimensions but input '{input.Spec.Name}' has {spec.Count} {FormatShape(spec)}.");
        }

        for (var d = 1; d < spec.Count; d++)
        {
            if (spec[d] >= 0 && spec[d] != shape[d])
            {
                throw KilnException.Invalid(field, $"shape {FormatShape(shape)} does not match input '{input.Spec.Name}' of shape {FormatShape(spec)} in dimension {d}.");
            }
        }

        return shape.ToArray();
    }

    public static string FormatShape(IReadOnlyList<long> shape) => "[" + string.Join(",", shape) + "]";

    public static string FormatShape(ReadOnlySpan<long> shape) => "[" + string.Join(",", shape.ToArray()) + "]";
}
