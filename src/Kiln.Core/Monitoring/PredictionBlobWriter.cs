using Kiln.Core.Binary;

namespace Kiln.Core.Monitoring;

/// <summary>
/// Writes <see cref="PredictionBlob"/>s, in the order the layout lists: <see cref="Begin"/>, the rows' predictions and
/// scores, then the input fields and the output fields, each announced by <see cref="BeginFields"/> and
/// <see cref="Field"/> and followed by its rows × width elements. One writer is reused blob after blob by one thread.
/// </summary>
public sealed class PredictionBlobWriter
{
    private readonly LittleEndianWriter _bytes = new(4096);

    /// <summary>Starts a blob of <paramref name="rows"/> rows.</summary>
    public void Begin(int rows, string? positiveLabel)
    {
        _bytes.Reset();
        _bytes.Byte(PredictionBlob.Columnar);
        _bytes.Int32(rows);
        _bytes.String(positiveLabel);
    }

    /// <summary>Writes one row's prediction (all rows' come before the first score).</summary>
    public void Prediction(string? prediction) => _bytes.String(prediction);

    /// <summary>Writes one row's score, NaN for none.</summary>
    public void Score(double score) => _bytes.Double(score);

    /// <summary>Announces how many fields follow (the inputs', then the outputs').</summary>
    public void BeginFields(int count) => _bytes.Int32(count);

    /// <summary>Starts a field; its rows × <paramref name="width"/> elements follow.</summary>
    public void Field(string name, PredictionBlobShape shape, int width, IReadOnlyList<string>? labels, PredictionBlobType type)
    {
        _bytes.String(name);
        _bytes.Byte((byte)shape);
        _bytes.Int32(width);
        if (shape == PredictionBlobShape.Labelled)
        {
            for (var i = 0; i < width; i++)
            {
                _bytes.String(labels![i]);
            }
        }

        _bytes.Byte((byte)type);
    }

    /// <summary>Writes one text element.</summary>
    public void String(string? value) => _bytes.String(value);

    /// <summary>Writes one flag element.</summary>
    public void Bool(bool value) => _bytes.Byte(value ? (byte)1 : (byte)0);

    /// <summary>Writes elements of a fixed-size type as they are in memory.</summary>
    public void Values<T>(ReadOnlySpan<T> values)
        where T : unmanaged => _bytes.Values(values);

    /// <summary>Writes one element of a fixed-size type.</summary>
    public void Value<T>(T value)
        where T : unmanaged => _bytes.Values(new ReadOnlySpan<T>(in value));

    /// <summary>The finished blob.</summary>
    public byte[] ToArray() => _bytes.ToArray();
}
