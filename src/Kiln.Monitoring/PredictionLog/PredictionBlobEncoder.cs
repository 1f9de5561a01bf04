using Kiln.Core.Monitoring;
using Kiln.Core.Tensors;

namespace Kiln.Monitoring.PredictionLog;

/// <summary>
/// Turns a scored request into the request the log stores: its rows' readings and every input column and output
/// tensor copied column by column into one <see cref="PredictionBlob"/>. Used by the single writer thread, so it
/// reuses one buffer (one encoder per thread).
/// </summary>
public sealed class PredictionBlobEncoder
{
    private readonly PredictionBlobWriter _blob = new();
    private readonly FeatureColumnCache _columns = new();

    /// <summary>The request as the log stores it (its id is given by the store).</summary>
    public LoggedRequest Encode(PredictionRecord record)
    {
        var rows = record.Rows;
        var outputs = record.Outputs;
        var readings = new PredictionReading[rows];
        for (var row = 0; row < rows; row++)
        {
            readings[row] = PredictionReading.Read(outputs, rows, row);
        }

        var first = rows > 0 ? readings[0] : default;
        _blob.Begin(rows, first.PositiveLabel);
        foreach (var reading in readings)
        {
            _blob.Prediction(reading.Prediction);
        }

        foreach (var reading in readings)
        {
            _blob.Score(reading.Score ?? double.NaN);
        }

        WriteInputs(record.Inputs.Inputs, _columns.Of(record.Signature), rows);
        _blob.BeginFields(outputs.Outputs.Count);
        foreach (var tensor in outputs.Outputs)
        {
            WriteTensor(tensor, rows);
        }

        return new LoggedRequest(
            0,
            record.Timestamp,
            record.Deployment,
            record.Variant,
            record.ModelName,
            record.ModelVersion,
            record.RequestId,
            record.FirstRow,
            rows,
            record.LatencyMs,
            PredictionTasks.Of(first.PositiveLabel is not null, first.Prediction is not null, first.Score is not null),
            _blob.ToArray());
    }

    private void WriteInputs(IReadOnlyList<Tensor> tensors, FeatureColumns columns, int rows)
    {
        var fields = 0;
        for (var i = 0; i < tensors.Count; i++)
        {
            fields += columns.IsTabular(i) ? columns.OfInput(i).Count : 1;
        }

        _blob.BeginFields(fields);
        for (var i = 0; i < tensors.Count; i++)
        {
            var tensor = tensors[i];
            if (!columns.IsTabular(i))
            {
                WriteTensor(tensor, rows);
                continue;
            }

            // A tabular input's columns are fields of their own: the JSON names each feature.
            var perRow = TensorValues.PerRow(tensor, rows);
            var type = TypeOf(tensor);
            foreach (var column in columns.OfInput(i))
            {
                _blob.Field(column.Name, PredictionBlobShape.Value, 1, null, type);
                for (var row = 0; row < rows; row++)
                {
                    WriteElement(tensor, type, (row * perRow) + column.Offset);
                }
            }
        }
    }

    private void WriteTensor(Tensor tensor, int rows)
    {
        var perRow = TensorValues.PerRow(tensor, rows);
        var shape = tensor.Labels is { } labels && labels.Count == perRow ? PredictionBlobShape.Labelled
            : perRow == 1 ? PredictionBlobShape.Value
            : PredictionBlobShape.Array;
        var type = TypeOf(tensor);
        _blob.Field(tensor.Name, shape, perRow, tensor.Labels, type);
        var count = rows * perRow;
        switch (tensor.Data)
        {
            case float[] floats:
                _blob.Values<float>(floats.AsSpan(0, count));
                break;
            case double[] doubles:
                _blob.Values<double>(doubles.AsSpan(0, count));
                break;
            case long[] longs:
                _blob.Values<long>(longs.AsSpan(0, count));
                break;
            case int[] ints:
                _blob.Values<int>(ints.AsSpan(0, count));
                break;
            default:
                for (var i = 0; i < count; i++)
                {
                    WriteElement(tensor, type, i);
                }

                break;
        }
    }

    private void WriteElement(Tensor tensor, PredictionBlobType type, int index)
    {
        switch (type)
        {
            case PredictionBlobType.String:
                _blob.String(((string[])tensor.Data)[index]);
                break;
            case PredictionBlobType.Bool:
                _blob.Bool(((bool[])tensor.Data)[index]);
                break;
            case PredictionBlobType.Float32:
                _blob.Value(((float[])tensor.Data)[index]);
                break;
            case PredictionBlobType.Int64:
                _blob.Value(((long[])tensor.Data)[index]);
                break;
            case PredictionBlobType.Int32:
                _blob.Value(((int[])tensor.Data)[index]);
                break;
            default:
                _blob.Value(TensorValues.GetDouble(tensor, index));
                break;
        }
    }

    private static PredictionBlobType TypeOf(Tensor tensor) => tensor.Data switch
    {
        string[] => PredictionBlobType.String,
        bool[] => PredictionBlobType.Bool,
        float[] => PredictionBlobType.Float32,
        long[] => PredictionBlobType.Int64,
        int[] => PredictionBlobType.Int32,
        _ => PredictionBlobType.Float64,
    };
}
