using System.Globalization;
using System.Text.Json;
using Kiln.Core;
using Kiln.Core.Packaging;
using Kiln.Core.Tensors;

namespace Kiln.Inference.Decoding;

/// <summary>
/// Reads model outputs written as Open Inference Protocol v2 output tensors (name, datatype, shape, data, and
/// <c>parameters.labels</c> for class probabilities), as a batch scored elsewhere reports them to the prediction log.
/// Every tensor must be an output of the model, of its type, with as many rows as the inputs.
/// </summary>
public static class V2OutputDecoder
{
    private const int MaxLabels = 10_000;

    public static InferenceResult Decode(JsonElement outputs, ModelSignature signature, int rows, string field)
    {
        JsonBodies.RequireArray(outputs, field);
        var tensors = new List<Tensor>();
        var index = 0;
        foreach (var output in outputs.EnumerateArray())
        {
            var at = string.Create(CultureInfo.InvariantCulture, $"{field}[{index++}]");
            JsonBodies.RequireObject(output, at);
            var name = JsonBodies.OptionalString(output, "name", at + ".name") ?? throw KilnException.Invalid(at + ".name", "is required.");
            var spec = signature.Outputs.FirstOrDefault(o => o.Name == name)
                ?? throw KilnException.Invalid(at + ".name", $"'{(name.Length <= 64 ? name : name[..64])}' is not an output of the model (outputs: {string.Join(", ", signature.Outputs.Select(o => o.Name))}).");
            if (tensors.Exists(t => t.Name == name))
            {
                throw KilnException.Invalid(at + ".name", $"output '{name}' is given more than once.");
            }

            var datatype = JsonBodies.OptionalString(output, "datatype", at + ".datatype") ?? throw KilnException.Invalid(at + ".datatype", "is required.");
            if (!TensorDataTypes.TryParseV2Name(datatype, out var type) || type != spec.DataType)
            {
                throw KilnException.Invalid(at + ".datatype", $"'{(datatype.Length <= 16 ? datatype : datatype[..16])}' is not output '{name}''s type, {spec.DataType.ToV2Name()}.");
            }

            var shape = Shape(output, at + ".shape", rows);
            var length = checked((int)Tensor.ElementCount(shape));
            var data = ValueWriter.Allocate(type, length);
            if (!output.TryGetProperty("data", out var values))
            {
                throw KilnException.Invalid(at + ".data", "is required.");
            }

            var sink = new ArraySink(data, type, at + ".data");
            JsonNesting.Flatten(values, shape, at + ".data", ref sink);
            tensors.Add(new Tensor(name, type, shape, data, length) { Labels = Labels(output, at, shape) });
        }

        if (tensors.Count == 0)
        {
            throw KilnException.Invalid(field, "is empty; give the model's outputs for the rows.");
        }

        return new InferenceResult(tensors);
    }

    private static long[] Shape(JsonElement output, string field, int rows)
    {
        if (!output.TryGetProperty("shape", out var shape) || shape.ValueKind != JsonValueKind.Array || shape.GetArrayLength() is 0 or > 8)
        {
            throw KilnException.Invalid(field, "is required: 1 to 8 dimensions, the first the rows.");
        }

        var dims = new long[shape.GetArrayLength()];
        var d = 0;
        foreach (var dim in shape.EnumerateArray())
        {
            dims[d++] = dim.TryGetInt64(out var value) && value is >= 0 and <= int.MaxValue
                ? value
                : throw KilnException.Invalid(field, "dimensions must be whole numbers from 0.");
        }

        if (dims[0] != rows)
        {
            throw KilnException.Invalid(field, $"has {dims[0]} rows but the inputs have {rows}.");
        }

        if (Tensor.ElementCount(dims) > 64L * 1024 * 1024)
        {
            throw KilnException.Invalid(field, "describes more than 64M values.");
        }

        return dims;
    }

    private static string[]? Labels(JsonElement output, string field, long[] shape)
    {
        if (!output.TryGetProperty("parameters", out var parameters) || parameters.ValueKind != JsonValueKind.Object
            || !parameters.TryGetProperty("labels", out var labels))
        {
            return null;
        }

        var at = field + ".parameters.labels";
        JsonBodies.RequireArray(labels, at);
        var width = shape.Length > 1 ? shape[^1] : 1;
        if (labels.GetArrayLength() != width || width > MaxLabels)
        {
            throw KilnException.Invalid(at, $"has {labels.GetArrayLength()} labels but the last dimension is {width}.");
        }

        return labels.EnumerateArray().Select(l => l.ValueKind == JsonValueKind.String ? l.GetString()! : throw KilnException.Invalid(at, "must be strings.")).ToArray();
    }

    private readonly struct ArraySink(Array target, TensorDataType type, string field) : ILeafSink
    {
        public void Write(int index, JsonElement value)
        {
            if (!ValueWriter.TryWrite(target, type, index, value, out var problem))
            {
                throw KilnException.Invalid(string.Create(CultureInfo.InvariantCulture, $"{field}[{index}]"), problem!);
            }
        }
    }
}
