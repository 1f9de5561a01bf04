using System.Text.Json;
using Kiln.Core.Tensors;

namespace Kiln.Inference.Writers;

/// <summary>Writes tensor elements as JSON values. NaN and infinities have no JSON form and are written as null.</summary>
internal static class TensorJson
{
    public static void WriteFlat(Utf8JsonWriter writer, Tensor tensor) => WriteRange(writer, tensor, 0, tensor.Length);

    /// <summary>An Open Inference Protocol v2 tensor object: name, datatype, shape, <c>parameters.labels</c> when it has labels, flat data.</summary>
    public static void WriteV2Tensor(Utf8JsonWriter writer, Tensor tensor)
    {
        writer.WriteStartObject();
        writer.WriteString("name"u8, tensor.Name);
        writer.WriteString("datatype"u8, tensor.DataType.ToV2Name());
        writer.WriteStartArray("shape"u8);
        foreach (var dim in tensor.Shape)
        {
            writer.WriteNumberValue(dim);
        }

        writer.WriteEndArray();
        if (tensor.Labels is { } labels)
        {
            writer.WriteStartObject("parameters"u8);
            writer.WriteStartArray("labels"u8);
            foreach (var label in labels)
            {
                writer.WriteStringValue(label);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        writer.WritePropertyName("data"u8);
        WriteFlat(writer, tensor);
        writer.WriteEndObject();
    }

    public static void WriteRange(Utf8JsonWriter writer, Tensor tensor, int start, int count)
    {
        writer.WriteStartArray();
        for (var i = start; i < start + count; i++)
        {
            WriteElement(writer, tensor, i);
        }

        writer.WriteEndArray();
    }

    /// <summary>Writes elements <paramref name="start"/>.. nested along <paramref name="dims"/> (row-major).</summary>
    public static void WriteNested(Utf8JsonWriter writer, Tensor tensor, ReadOnlySpan<long> dims, int start)
    {
        if (dims.Length == 1)
        {
            WriteRange(writer, tensor, start, (int)dims[0]);
            return;
        }

        var inner = (int)Tensor.ElementCount(dims[1..]);
        writer.WriteStartArray();
        for (var i = 0; i < dims[0]; i++)
        {
            WriteNested(writer, tensor, dims[1..], start + (i * inner));
        }

        writer.WriteEndArray();
    }

    public static void WriteElement(Utf8JsonWriter writer, Tensor tensor, int index)
    {
        switch (tensor.Data)
        {
            case float[] f:
                WriteFloat(writer, f[index]);
                break;
            case double[] d:
                WriteDouble(writer, d[index], double.IsFinite(d[index]));
                break;
            case long[] l: writer.WriteNumberValue(l[index]); break;
            case int[] i: writer.WriteNumberValue(i[index]); break;
            case short[] s: writer.WriteNumberValue(s[index]); break;
            case sbyte[] sb: writer.WriteNumberValue(sb[index]); break;
            case ulong[] ul: writer.WriteNumberValue(ul[index]); break;
            case uint[] ui: writer.WriteNumberValue(ui[index]); break;
            case ushort[] us: writer.WriteNumberValue(us[index]); break;
            case byte[] b: writer.WriteNumberValue(b[index]); break;
            case bool[] flags: writer.WriteBooleanValue(flags[index]); break;
            case Half[] h:
                WriteDouble(writer, (double)h[index], Half.IsFinite(h[index]));
                break;
            case string[] strings: writer.WriteStringValue(strings[index]); break;
            default: throw new NotSupportedException($"Tensor data of type {tensor.Data.GetType().Name} cannot be written.");
        }

        static void WriteDouble(Utf8JsonWriter writer, double value, bool finite)
        {
            if (finite)
            {
                writer.WriteNumberValue(value);
            }
            else
            {
                writer.WriteNullValue();
            }
        }
    }

    /// <summary>Writes one float element as its shortest round-trip form (float, not widened to double digits).</summary>
    public static void WriteFloat(Utf8JsonWriter writer, float value)
    {
        if (float.IsFinite(value))
        {
            writer.WriteNumberValue(value);
        }
        else
        {
            writer.WriteNullValue();
        }
    }
}
