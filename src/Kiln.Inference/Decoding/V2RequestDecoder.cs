using System.Text.Json;
using Kiln.Core;
using Kiln.Core.Tensors;

namespace Kiln.Inference.Decoding;

/// <summary>
/// Decodes an Open Inference Protocol v2 <c>infer</c> request. Inputs are matched to the model's
/// inputs by name (tensor mode) or, as MLServer's <c>pd</c> content type does, one input per
/// column (column mode). Data may be flat or nested.
/// </summary>
public static class V2RequestDecoder
{
    public static DecodedRequest Decode(ReadOnlyMemory<byte> body, InputLayout layout)
    {
        using var document = JsonBodies.Parse(body);
        var root = JsonBodies.RequireObject(document.RootElement, "body");
        var id = JsonBodies.OptionalString(root, "id", "id");
        if (!root.TryGetProperty("inputs", out var inputs))
        {
            throw KilnException.Invalid("inputs", "is required.");
        }

        JsonBodies.RequireArray(inputs, "inputs");
        if (inputs.GetArrayLength() == 0)
        {
            throw KilnException.Invalid("inputs", "is empty.");
        }

        var builder = new BatchBuilder(layout);
        if (AllNamesAreInputs(inputs, layout))
        {
            DecodeTensors(inputs, builder);
        }
        else
        {
            DecodeColumns(inputs, builder);
        }

        return new DecodedRequest(builder.Build(), id, ReadRequestedOutputs(root, layout));
    }

    private static bool AllNamesAreInputs(JsonElement inputs, InputLayout layout)
    {
        foreach (var input in inputs.EnumerateArray())
        {
            if (input.ValueKind != JsonValueKind.Object || !input.TryGetProperty("name", out var name)
                || name.ValueKind != JsonValueKind.String || !layout.TryGetInput(name.GetString()!, out _))
            {
                return false;
            }
        }

        return true;
    }

    private static void DecodeTensors(JsonElement inputs, BatchBuilder builder)
    {
        var index = 0;
        foreach (var input in inputs.EnumerateArray())
        {
            var field = $"inputs[{index}]";
            var request = ReadInputHeader(input, field, out var shape);
            builder.Layout.TryGetInput(request.Name, out var slot);
            CheckDatatype(request.DataType, slot.Spec.DataType, slot.Spec.Name, field);
            var target = builder.BeginInput(slot, shape, field);
            var sink = new TensorSink(target, slot, field + ".data");
            JsonNesting.Flatten(request.Data, shape, field + ".data", ref sink);
            index++;
        }
    }

    private static void DecodeColumns(JsonElement inputs, BatchBuilder builder)
    {
        var layout = builder.Layout;
        var index = 0;
        var rows = -1;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var input in inputs.EnumerateArray())
        {
            var field = $"inputs[{index}]";
            var request = ReadInputHeader(input, field, out var shape);
            if (!layout.TryGetField(request.Name, out var slot))
            {
                throw KilnException.Invalid(field + ".name", $"'{Truncate(request.Name)}' is neither an input nor a column of the model (inputs: {layout.DescribeInputs()}; columns: {layout.DescribeFields()}).");
            }

            var spec = layout.Inputs[slot.InputIndex].Spec;
            CheckDatatype(request.DataType, spec.DataType, slot.Name, field);
            var width = shape.Length > 1 ? Tensor.ElementCount(shape[1..]) : 1;
            if (width != slot.Width)
            {
                throw KilnException.Invalid(field + ".shape", $"column '{slot.Name}' takes {slot.Width} value(s) per row, but the shape gives {width}.");
            }

            if (rows < 0)
            {
                rows = checked((int)shape[0]);
                builder.BeginRows(rows, field + ".shape");
            }
            else if (shape[0] != rows)
            {
                throw KilnException.Invalid(field + ".shape", $"has {shape[0]} rows but inputs[0] has {rows}.");
            }

            if (!seen.Add(slot.Name))
            {
                throw KilnException.Invalid(field + ".name", $"column '{slot.Name}' is given more than once.");
            }

            var sink = new ColumnSink(builder, slot);
            JsonNesting.Flatten(request.Data, shape, field + ".data", ref sink);
            index++;
        }

        builder.EnsureRowComplete(rows - 1, "inputs");
    }

    private static readonly System.Text.CompositeFormat ColumnNaming = System.Text.CompositeFormat.Parse("{1}[{0}]");

    /// <summary>Writes one column's values (row-major, <c>Width</c> per row) into the rows being built.</summary>
    private struct ColumnSink(BatchBuilder builder, FieldSlot slot) : ILeafSink
    {
        public readonly void Write(int index, JsonElement value) =>
            builder.WriteField(slot, index / slot.Width, index % slot.Width, value, ColumnNaming);
    }

    private static V2Input ReadInputHeader(JsonElement input, string field, out long[] shape)
    {
        JsonBodies.RequireObject(input, field);
        var name = JsonBodies.OptionalString(input, "name", field + ".name") ?? throw KilnException.Invalid(field + ".name", "is required.");
        var datatypeText = JsonBodies.OptionalString(input, "datatype", field + ".datatype") ?? throw KilnException.Invalid(field + ".datatype", "is required.");
        if (!TensorDataTypes.TryParseV2Name(datatypeText, out var datatype))
        {
            throw KilnException.Invalid(field + ".datatype", $"'{Truncate(datatypeText)}' is not a v2 datatype (BOOL, UINT8…UINT64, INT8…INT64, FP16, FP32, FP64, BYTES).");
        }

        if (!input.TryGetProperty("shape", out var shapeElement))
        {
            throw KilnException.Invalid(field + ".shape", "is required.");
        }

        shape = ReadShape(shapeElement, field + ".shape");
        if (!input.TryGetProperty("data", out var data))
        {
            throw KilnException.Invalid(field + ".data", "is required.");
        }

        return new V2Input(name, datatype, data);
    }

    private static long[] ReadShape(JsonElement element, string field)
    {
        JsonBodies.RequireArray(element, field);
        var length = element.GetArrayLength();
        if (length is 0 or > JsonNesting.MaxDepth)
        {
            throw KilnException.Invalid(field, $"must have 1 to {JsonNesting.MaxDepth} dimensions.");
        }

        var shape = new long[length];
        var d = 0;
        foreach (var dim in element.EnumerateArray())
        {
            if (dim.ValueKind != JsonValueKind.Number || !dim.TryGetInt64(out var value) || value < 0 || value > int.MaxValue)
            {
                throw KilnException.Invalid(field, "dimensions must be non-negative integers.");
            }

            shape[d++] = value;
        }

        if (Tensor.ElementCount(shape) > int.MaxValue)
        {
            throw KilnException.Invalid(field, "describes more elements than a request may carry.");
        }

        return shape;
    }

    private static void CheckDatatype(TensorDataType sent, TensorDataType expected, string name, string field)
    {
        if (!sent.CanWidenTo(expected) && !(sent.IsNumeric() && expected is TensorDataType.Fp32 or TensorDataType.Fp64 && IsInteger(sent)))
        {
            throw KilnException.Invalid(field + ".datatype", $"'{name}' takes {expected.ToV2Name()}; {sent.ToV2Name()} cannot be converted to it safely.");
        }
    }

    private static bool IsInteger(TensorDataType type) => type is not (TensorDataType.Fp16 or TensorDataType.Fp32 or TensorDataType.Fp64);

    private static IReadOnlyList<string>? ReadRequestedOutputs(JsonElement root, InputLayout layout)
    {
        if (!root.TryGetProperty("outputs", out var outputs) || outputs.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        JsonBodies.RequireArray(outputs, "outputs");
        var names = new List<string>(outputs.GetArrayLength());
        var index = 0;
        foreach (var output in outputs.EnumerateArray())
        {
            var field = $"outputs[{index++}]";
            JsonBodies.RequireObject(output, field);
            var name = JsonBodies.OptionalString(output, "name", field + ".name") ?? throw KilnException.Invalid(field + ".name", "is required.");
            if (layout.Signature.FindOutput(name) is null)
            {
                throw KilnException.Invalid(field + ".name", $"'{Truncate(name)}' is not an output of the model (outputs: {string.Join(", ", layout.Signature.Outputs.Select(o => o.Name))}).");
            }

            names.Add(name);
        }

        return names.Count == 0 ? null : names;
    }

    internal static string Truncate(string value) => value.Length <= 64 ? value : value[..64] + "…";

    private readonly record struct V2Input(string Name, TensorDataType DataType, JsonElement Data);
}
