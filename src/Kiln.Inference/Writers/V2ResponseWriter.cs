using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Kiln.Core.Tensors;

namespace Kiln.Inference.Writers;

/// <summary>Writes an Open Inference Protocol v2 inference response.</summary>
public static class V2ResponseWriter
{
    public static void Write(IBufferWriter<byte> output, InferenceResult result, in ResponseContext context)
    {
        using var writer = new Utf8JsonWriter(output);
        writer.WriteStartObject();
        writer.WriteString("model_name"u8, context.Deployment);
        writer.WriteString("model_version"u8, context.ModelVersion.ToString(CultureInfo.InvariantCulture));
        writer.WriteString("id"u8, context.RequestId);
        writer.WriteStartObject("parameters"u8);
        writer.WriteString("registered_model"u8, context.ModelName);
        writer.WriteEndObject();
        writer.WriteStartArray("outputs"u8);
        foreach (var tensor in result.Outputs)
        {
            TensorJson.WriteV2Tensor(writer, tensor);
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }
}
