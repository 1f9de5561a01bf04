using System.Buffers;
using System.Text.Json;
using Kiln.Core.Tensors;
using Kiln.Inference.Decoding;

namespace Kiln.Inference.Writers;

/// <summary>Writes the body <see cref="BatchPredictionsDecoder"/> reads: who scored the rows, where they sit in the batch, their inputs and outputs.</summary>
public static class BatchPredictionsWriter
{
    public static void Write(IBufferWriter<byte> output, BatchPredictionsHeader header, InferenceBatch inputs, InferenceResult outputs)
    {
        using var writer = new Utf8JsonWriter(output);
        writer.WriteStartObject();
        writer.WriteString("model_name"u8, header.Model);
        writer.WriteNumber("model_version"u8, header.Version);
        writer.WriteString("id"u8, header.Id);
        writer.WriteNumber("first_row"u8, header.FirstRow);
        writer.WriteStartArray("inputs"u8);
        foreach (var tensor in inputs.Inputs)
        {
            TensorJson.WriteV2Tensor(writer, tensor);
        }

        writer.WriteEndArray();
        writer.WriteStartArray("predictions"u8);
        foreach (var tensor in outputs.Outputs)
        {
            TensorJson.WriteV2Tensor(writer, tensor);
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }
}
