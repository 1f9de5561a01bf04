using System.Text.Json;
using Kiln.Core;
using Kiln.Core.Tensors;

namespace Kiln.Inference.Packaging;

/// <summary>One entry of an MLflow schema: a column (colspec) or a tensor (tensor-spec).</summary>
internal sealed record MlflowSchemaEntry(string? Name, TensorDataType DataType, bool IsTensor, IReadOnlyList<long>? Shape);

/// <summary>Parses MLflow's schema JSON (the strings under <c>signature.inputs</c> and <c>signature.outputs</c> in <c>MLmodel</c>).</summary>
internal static class MlflowSchema
{
    public static IReadOnlyList<MlflowSchemaEntry> Parse(string json, string field)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException)
        {
            throw KilnException.Invalid(field, "is not valid schema JSON.");
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Array)
            {
                throw KilnException.Invalid(field, "must be a JSON list of column or tensor specs.");
            }

            var entries = new List<MlflowSchemaEntry>();
            var index = 0;
            foreach (var spec in document.RootElement.EnumerateArray())
            {
                entries.Add(ParseEntry(spec, $"{field}[{index++}]"));
            }

            return entries;
        }
    }

    private static MlflowSchemaEntry ParseEntry(JsonElement spec, string field)
    {
        if (spec.ValueKind != JsonValueKind.Object || !spec.TryGetProperty("type", out var typeElement) || typeElement.ValueKind != JsonValueKind.String)
        {
            throw KilnException.Invalid(field, "must be an object with a 'type'.");
        }

        var name = spec.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString() : null;
        var type = typeElement.GetString()!;
        if (type != "tensor")
        {
            return new MlflowSchemaEntry(name, FromColumnType(type, field), false, null);
        }

        if (!spec.TryGetProperty("tensor-spec", out var tensor) || tensor.ValueKind != JsonValueKind.Object
            || !tensor.TryGetProperty("dtype", out var dtype) || dtype.ValueKind != JsonValueKind.String)
        {
            throw KilnException.Invalid(field, "a tensor spec needs 'tensor-spec' with a 'dtype'.");
        }

        List<long>? shape = null;
        if (tensor.TryGetProperty("shape", out var shapeElement) && shapeElement.ValueKind == JsonValueKind.Array)
        {
            shape = [];
            foreach (var dim in shapeElement.EnumerateArray())
            {
                shape.Add(dim.TryGetInt64(out var d) ? d : -1);
            }
        }

        return new MlflowSchemaEntry(name, FromNumpyType(dtype.GetString()!, field), true, shape);
    }

    private static TensorDataType FromColumnType(string type, string field) => type switch
    {
        "boolean" => TensorDataType.Bool,
        "integer" => TensorDataType.Int32,
        "long" => TensorDataType.Int64,
        "float" => TensorDataType.Fp32,
        "double" => TensorDataType.Fp64,
        "string" => TensorDataType.Bytes,
        "binary" => TensorDataType.Bytes,
        _ => throw KilnException.Invalid(field, $"column type '{type}' is not supported (boolean, integer, long, float, double, string, binary)."),
    };

    private static TensorDataType FromNumpyType(string dtype, string field) => dtype switch
    {
        "bool" => TensorDataType.Bool,
        "int8" => TensorDataType.Int8,
        "int16" => TensorDataType.Int16,
        "int32" => TensorDataType.Int32,
        "int64" => TensorDataType.Int64,
        "uint8" => TensorDataType.UInt8,
        "uint16" => TensorDataType.UInt16,
        "uint32" => TensorDataType.UInt32,
        "uint64" => TensorDataType.UInt64,
        "float16" => TensorDataType.Fp16,
        "float32" => TensorDataType.Fp32,
        "float64" => TensorDataType.Fp64,
        "str" or "object" or "bytes" => TensorDataType.Bytes,
        _ => throw KilnException.Invalid(field, $"tensor dtype '{dtype}' is not supported."),
    };
}
