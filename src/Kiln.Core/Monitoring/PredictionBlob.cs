using System.Text;
using System.Text.Json;
using Kiln.Core.Binary;

namespace Kiln.Core.Monitoring;

/// <summary>
/// The rows of one logged request, column by column, as the prediction log stores them, and their reading back.
/// Built off the request path by the log writer straight from the request's tensors (no per-row JSON); a row's
/// inputs and outputs become JSON only when someone reads them.
/// </summary>
/// <remarks>
/// Layout, little-endian. A string is an int32 byte length (−1: null) and its UTF-8 bytes.
/// <code>
/// byte    format (1)
/// int32   rows
/// string  positive label (binary classifiers; null otherwise)
/// rows ×  string   prediction
/// rows ×  float64  score (NaN: none)
/// int32   input fields,  then each field
/// int32   output fields, then each field
/// field:  string name; byte shape (0 value, 1 array, 2 labelled object); int32 width;
///         width × string label (labelled only); byte element type (<see cref="PredictionBlobType"/>);
///         rows × width elements (string, 1-byte bool, float32, float64, int64 or int32)
/// </code>
/// A blob that starts with <c>{</c> is one row logged before this layout, as the JSON object
/// <c>{"inputs":{…},"outputs":{…},"prediction":…,"score":…,"positive_label":…}</c>.
/// </remarks>
public sealed class PredictionBlob
{
    /// <summary>The format byte of the columnar layout.</summary>
    public const byte Columnar = 1;

    private readonly string?[] _predictions;
    private readonly double[] _scores;
    private readonly Field[] _inputs;
    private readonly Field[] _outputs;
    private readonly string? _legacyInputs;
    private readonly string? _legacyOutputs;

    private PredictionBlob(int rows, string? positiveLabel, string?[] predictions, double[] scores, Field[] inputs, Field[] outputs, string? legacyInputs = null, string? legacyOutputs = null)
    {
        Rows = rows;
        PositiveLabel = positiveLabel;
        _predictions = predictions;
        _scores = scores;
        _inputs = inputs;
        _outputs = outputs;
        _legacyInputs = legacyInputs;
        _legacyOutputs = legacyOutputs;
    }

    /// <summary>How many rows the blob holds.</summary>
    public int Rows { get; }

    /// <summary>For binary classifiers: the class the scores are the probability of.</summary>
    public string? PositiveLabel { get; }

    /// <summary>Reads a whole blob; <paramref name="readingsOnly"/> stops after the predictions and scores (what ground truth needs).</summary>
    public static PredictionBlob Read(ReadOnlySpan<byte> data, bool readingsOnly = false)
    {
        if (data.Length > 0 && data[0] == (byte)'{')
        {
            return ReadLegacy(data);
        }

        if (data.IsEmpty || data[0] != Columnar)
        {
            throw new InvalidDataException("Unknown prediction-log blob format.");
        }

        var reader = new LittleEndianReader(data[1..]);
        var rows = reader.Length();
        var positiveLabel = reader.NullableString();
        var predictions = new string?[rows];
        for (var i = 0; i < rows; i++)
        {
            predictions[i] = reader.NullableString();
        }

        var scores = reader.Values<double>(rows);
        if (readingsOnly)
        {
            return new PredictionBlob(rows, positiveLabel, predictions, scores, [], []);
        }

        var inputs = Fields(ref reader, rows);
        var outputs = Fields(ref reader, rows);
        return new PredictionBlob(rows, positiveLabel, predictions, scores, inputs, outputs);
    }

    /// <summary>Row <paramref name="row"/>'s predicted class, or its regression value as text (null when its outputs hold neither).</summary>
    public string? Prediction(int row) => _predictions[row];

    /// <summary>Row <paramref name="row"/>'s score (see <see cref="PredictionRow.Score"/>), or null.</summary>
    public double? Score(int row) => double.IsFinite(_scores[row]) ? _scores[row] : null;

    /// <summary>Row <paramref name="row"/>'s inputs as a JSON object.</summary>
    public string InputsJson(int row) => _legacyInputs ?? Json(_inputs, row);

    /// <summary>Row <paramref name="row"/>'s outputs as a JSON object.</summary>
    public string OutputsJson(int row) => _legacyOutputs ?? Json(_outputs, row);

    private static string Json(Field[] fields, int row)
    {
        using var stream = new MemoryStream(256);
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { SkipValidation = true }))
        {
            json.WriteStartObject();
            foreach (var field in fields)
            {
                field.Write(json, row);
            }

            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.GetBuffer(), 0, (int)stream.Length);
    }

    private static PredictionBlob ReadLegacy(ReadOnlySpan<byte> data)
    {
        using var document = JsonDocument.Parse(data.ToArray());
        var root = document.RootElement;
        string? Text(string name) => root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
        var score = root.TryGetProperty("score", out var s) && s.ValueKind == JsonValueKind.Number ? s.GetDouble() : double.NaN;
        return new PredictionBlob(1, Text("positive_label"), [Text("prediction")], [score], [], [], root.GetProperty("inputs").GetRawText(), root.GetProperty("outputs").GetRawText());
    }

    private sealed record Field(JsonEncodedText Name, PredictionBlobShape Shape, int Width, JsonEncodedText[]? Labels, PredictionBlobType Type, Array Values)
    {
        public void Write(Utf8JsonWriter json, int row)
        {
            var start = row * Width;
            switch (Shape)
            {
                case PredictionBlobShape.Labelled:
                    json.WriteStartObject(Name);
                    for (var i = 0; i < Width; i++)
                    {
                        json.WritePropertyName(Labels![i]);
                        WriteElement(json, start + i);
                    }

                    json.WriteEndObject();
                    break;
                case PredictionBlobShape.Array:
                    json.WriteStartArray(Name);
                    for (var i = 0; i < Width; i++)
                    {
                        WriteElement(json, start + i);
                    }

                    json.WriteEndArray();
                    break;
                default:
                    json.WritePropertyName(Name);
                    WriteElement(json, start);
                    break;
            }
        }

        private void WriteElement(Utf8JsonWriter json, int index)
        {
            switch (Values)
            {
                case string?[] text:
                    json.WriteStringValue(text[index]);
                    break;
                case bool[] flags:
                    json.WriteBooleanValue(flags[index]);
                    break;
                case float[] floats when float.IsFinite(floats[index]):
                    json.WriteNumberValue(floats[index]);
                    break;
                case double[] doubles when double.IsFinite(doubles[index]):
                    json.WriteNumberValue(doubles[index]);
                    break;
                case long[] longs:
                    json.WriteNumberValue(longs[index]);
                    break;
                case int[] ints:
                    json.WriteNumberValue(ints[index]);
                    break;
                default:
                    json.WriteNullValue();
                    break;
            }
        }
    }

    private static Field[] Fields(ref LittleEndianReader reader, int rows)
    {
        var fields = new Field[reader.Length()];
        for (var f = 0; f < fields.Length; f++)
        {
            var name = JsonEncodedText.Encode(reader.String());
            var shape = (PredictionBlobShape)reader.Byte();
            var width = reader.Length();
            JsonEncodedText[]? labels = null;
            if (shape == PredictionBlobShape.Labelled)
            {
                labels = new JsonEncodedText[width];
                for (var i = 0; i < width; i++)
                {
                    labels[i] = JsonEncodedText.Encode(reader.String());
                }
            }

            var type = (PredictionBlobType)reader.Byte();
            fields[f] = new Field(name, shape, width, labels, type, Values(ref reader, type, checked(rows * width)));
        }

        return fields;
    }

    private static Array Values(ref LittleEndianReader reader, PredictionBlobType type, int count)
    {
        switch (type)
        {
            case PredictionBlobType.String:
                var text = new string?[count];
                for (var i = 0; i < count; i++)
                {
                    text[i] = reader.NullableString();
                }

                return text;
            case PredictionBlobType.Bool:
                return Array.ConvertAll(reader.Values<byte>(count), b => b != 0);
            case PredictionBlobType.Float32:
                return reader.Values<float>(count);
            case PredictionBlobType.Float64:
                return reader.Values<double>(count);
            case PredictionBlobType.Int64:
                return reader.Values<long>(count);
            case PredictionBlobType.Int32:
                return reader.Values<int>(count);
            default:
                throw new InvalidDataException($"Unknown prediction-log element type {(byte)type}.");
        }
    }
}

/// <summary>How a <see cref="PredictionBlob"/> field's elements of one row read as JSON.</summary>
public enum PredictionBlobShape : byte
{
    /// <summary>One element: <c>"name": value</c>.</summary>
    Value = 0,
    /// <summary>Several: <c>"name": [values]</c>.</summary>
    Array = 1,
    /// <summary>One per class label: <c>"name": {"label": value, …}</c>.</summary>
    Labelled = 2,
}

/// <summary>How a <see cref="PredictionBlob"/> field stores its elements.</summary>
public enum PredictionBlobType : byte
{
    /// <summary>UTF-8 text (nullable).</summary>
    String = 0,
    /// <summary>One byte, 0 or 1.</summary>
    Bool = 1,
    /// <summary>IEEE 754 single.</summary>
    Float32 = 2,
    /// <summary>IEEE 754 double (also what other numeric types are stored as).</summary>
    Float64 = 3,
    /// <summary>64-bit integer.</summary>
    Int64 = 4,
    /// <summary>32-bit integer.</summary>
    Int32 = 5,
}
