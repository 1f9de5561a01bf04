using System.Buffers;
using System.Text;
using System.Text.Json;
using Kiln.Core.Monitoring;
using Kiln.Core.Tensors;

namespace Kiln.Monitoring.PredictionLog;

/// <summary>
/// Expands a scored request into one log row per input row: the row's features and outputs as JSON
/// objects, and the prediction and score read from the outputs. Used by the single writer thread,
/// so it reuses one buffer.
/// </summary>
internal sealed class PredictionRowBuilder
{
    private readonly ArrayBufferWriter<byte> _buffer = new(1024);
    private readonly Utf8JsonWriter _json;
    private readonly FeatureColumnCache _columns = new();

    public PredictionRowBuilder() => _json = new Utf8JsonWriter(_buffer, new JsonWriterOptions { SkipValidation = true });

    public void AddRows(PredictionRecord record, List<PredictionRow> rows)
    {
        var inputs = record.Inputs;
        var outputs = record.Outputs;
        for (var row = 0; row < record.Rows; row++)
        {
            var reading = PredictionReading.Read(outputs, record.Rows, row);
            rows.Add(new PredictionRow(
                0,
                record.Timestamp,
                record.Deployment,
                record.Variant,
                record.ModelName,
                record.ModelVersion,
                record.RequestId,
                row,
                record.LatencyMs,
                reading.Prediction,
                reading.Score,
                reading.PositiveLabel,
                InputsJson(inputs.Inputs, _columns.Of(record.Signature), inputs.Rows, row),
                Json(outputs.Outputs, inputs.Rows, row)));
        }
    }

    private string InputsJson(IReadOnlyList<Tensor> tensors, FeatureColumns columns, int rows, int row)
    {
        _buffer.ResetWrittenCount();
        _json.Reset(_buffer);
        _json.WriteStartObject();
        for (var i = 0; i < tensors.Count; i++)
        {
            var tensor = tensors[i];
            if (columns.IsTabular(i))
            {
                var perRow = TensorValues.PerRow(tensor, rows);
                foreach (var column in columns.OfInput(i))
                {
                    _json.WritePropertyName(column.JsonName);
                    WriteElement(tensor, (row * perRow) + column.Offset);
                }
            }
            else
            {
                WriteTensorRow(tensor, rows, row);
            }
        }

        _json.WriteEndObject();
        _json.Flush();
        return Encoding.UTF8.GetString(_buffer.WrittenSpan);
    }

    private string Json(IReadOnlyList<Tensor> tensors, int rows, int row)
    {
        _buffer.ResetWrittenCount();
        _json.Reset(_buffer);
        _json.WriteStartObject();
        foreach (var tensor in tensors)
        {
            WriteTensorRow(tensor, rows, row);
        }

        _json.WriteEndObject();
        _json.Flush();
        return Encoding.UTF8.GetString(_buffer.WrittenSpan);
    }

    private void WriteTensorRow(Tensor tensor, int rows, int row)
    {
        var perRow = TensorValues.PerRow(tensor, rows);
        var start = row * perRow;
        if (tensor.Labels is { } labels && labels.Count == perRow)
        {
            _json.WriteStartObject(tensor.Name);
            for (var i = 0; i < perRow; i++)
            {
                _json.WritePropertyName(labels[i]);
                WriteElement(tensor, start + i);
            }

            _json.WriteEndObject();
            return;
        }

        _json.WritePropertyName(tensor.Name);
        if (perRow == 1)
        {
            WriteElement(tensor, start);
            return;
        }

        _json.WriteStartArray();
        for (var i = 0; i < perRow; i++)
        {
            WriteElement(tensor, start + i);
        }

        _json.WriteEndArray();
    }

    private void WriteElement(Tensor tensor, int index)
    {
        switch (tensor.Data)
        {
            case string[] text:
                _json.WriteStringValue(text[index]);
                break;
            case bool[] flags:
                _json.WriteBooleanValue(flags[index]);
                break;
            case float[] floats when float.IsFinite(floats[index]):
                _json.WriteNumberValue(floats[index]);
                break;
            case double[] doubles when double.IsFinite(doubles[index]):
                _json.WriteNumberValue(doubles[index]);
                break;
            case long[] longs:
                _json.WriteNumberValue(longs[index]);
                break;
            case int[] ints:
                _json.WriteNumberValue(ints[index]);
                break;
            default:
                var value = TensorValues.GetDouble(tensor, index);
                if (double.IsFinite(value))
                {
                    _json.WriteNumberValue(value);
                }
                else
                {
                    _json.WriteNullValue();
                }

                break;
        }
    }
}
