using System.Buffers;
using System.Text.Json;
using Kiln.Core.Tensors;

namespace Kiln.Inference.Writers;

/// <summary>
/// Writes <c>{"predictions": [...]}</c>, one entry per row, as KServe v1 and MLflow scoring answer.
/// A single output gives its row's value; several give a record per row keyed by output name.
/// Class probabilities (ZipMap outputs) are written per row as <c>{"class": probability}</c>.
/// </summary>
public static class PredictionsWriter
{
    public static void Write(IBufferWriter<byte> output, InferenceResult result, int rows)
    {
        using var writer = new Utf8JsonWriter(output);
        writer.WriteStartObject();
        writer.WriteStartArray("predictions"u8);
        var outputs = result.Outputs;
        for (var row = 0; row < rows; row++)
        {
            if (outputs.Count == 1)
            {
                WriteRowValue(writer, outputs[0], row, rows);
                continue;
            }

            writer.WriteStartObject();
            foreach (var tensor in outputs)
            {
                writer.WritePropertyName(tensor.Name);
                WriteRowValue(writer, tensor, row, rows);
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private static void WriteRowValue(Utf8JsonWriter writer, Tensor tensor, int row, int rows)
    {
        var perRow = rows == 0 ? 0 : tensor.Length / rows;
        var start = row * perRow;
        if (tensor.Labels is { } labels && perRow == labels.Count)
        {
            writer.WriteStartObject();
            for (var c = 0; c < perRow; c++)
            {
                writer.WritePropertyName(labels[c]);
                TensorJson.WriteElement(writer, tensor, start + c);
            }

            writer.WriteEndObject();
        }
        else if (perRow == 1)
        {
            TensorJson.WriteElement(writer, tensor, start);
        }
        else if (tensor.Shape.Length > 2)
        {
            TensorJson.WriteNested(writer, tensor, tensor.Shape.AsSpan(1), start);
        }
        else
        {
            TensorJson.WriteRange(writer, tensor, start, perRow);
        }
    }
}
