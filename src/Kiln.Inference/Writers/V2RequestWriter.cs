using System.Buffers;
using System.Text.Json;
using Kiln.Core.Tensors;

namespace Kiln.Inference.Writers;

/// <summary>Writes a batch as an Open Inference Protocol v2 request: Kiln's canonical form of a model's input example.</summary>
public static class V2RequestWriter
{
    public static JsonElement ToJson(InferenceBatch batch)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("inputs"u8);
            foreach (var tensor in batch.Inputs)
            {
                writer.WriteStartObject();
                writer.WriteString("name"u8, tensor.Name);
                writer.WriteStartArray("shape"u8);
                foreach (var dim in tensor.Shape)
                {
                    writer.WriteNumberValue(dim);
                }

                writer.WriteEndArray();
                writer.WriteString("datatype"u8, tensor.DataType.ToV2Name());
                writer.WritePropertyName("data"u8);
                TensorJson.WriteFlat(writer, tensor);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        using var document = JsonDocument.Parse(buffer.WrittenMemory);
        return document.RootElement.Clone();
    }
}
