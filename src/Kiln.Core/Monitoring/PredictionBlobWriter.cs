using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace Kiln.Core.Monitoring;

/// <summary>
/// Writes <see cref="PredictionBlob"/>s, in the order the layout lists: <see cref="Begin"/>, the rows' predictions and
/// scores, then the input fields and the output fields, each announced by <see cref="BeginFields"/> and
/// <see cref="Field"/> and followed by its rows × width elements. One writer is reused blob after blob by one thread.
/// </summary>
public sealed class PredictionBlobWriter
{
    private readonly ArrayBufferWriter<byte> _buffer = new(4096);

    /// <summary>Starts a blob of <paramref name="rows"/> rows.</summary>
    public void Begin(int rows, string? positiveLabel)
    {
        _buffer.ResetWrittenCount();
        Byte(PredictionBlob.Columnar);
        Int32(rows);
        String(positiveLabel);
    }

    /// <summary>Writes one row's prediction (all rows' come before the first score).</summary>
    public void Prediction(string? prediction) => String(prediction);

    /// <summary>Writes one row's score, NaN for none.</summary>
    public void Score(double score)
    {
        BinaryPrimitives.WriteDoubleLittleEndian(_buffer.GetSpan(8), score);
        _buffer.Advance(8);
    }

    /// <summary>Announces how many fields follow (the inputs', then the outputs').</summary>
    public void BeginFields(int count) => Int32(count);

    /// <summary>Starts a field; its rows × <paramref name="width"/> elements follow.</summary>
    public void Field(string name, PredictionBlobShape shape, int width, IReadOnlyList<string>? labels, PredictionBlobType type)
    {
        String(name);
        Byte((byte)shape);
        Int32(width);
        if (shape == PredictionBlobShape.Labelled)
        {
            for (var i = 0; i < width; i++)
            {
                String(labels![i]);
            }
        }

        Byte((byte)type);
    }

    /// <summary>Writes one text element.</summary>
    public void String(string? value)
    {
        if (value is null)
        {
            Int32(-1);
            return;
        }

        var span = _buffer.GetSpan(4 + Encoding.UTF8.GetMaxByteCount(value.Length));
        var written = Encoding.UTF8.GetBytes(value, span[4..]);
        BinaryPrimitives.WriteInt32LittleEndian(span, written);
        _buffer.Advance(4 + written);
    }

    /// <summary>Writes one flag element.</summary>
    public void Bool(bool value) => Byte(value ? (byte)1 : (byte)0);

    /// <summary>Writes elements that are stored as they are in memory (the layout is little-endian, as every platform .NET runs on here).</summary>
    public void Values<T>(ReadOnlySpan<T> values)
        where T : unmanaged
    {
        var bytes = MemoryMarshal.AsBytes(values);
        bytes.CopyTo(_buffer.GetSpan(bytes.Length));
        _buffer.Advance(bytes.Length);
    }

    /// <summary>Writes one element of a fixed-size type.</summary>
    public void Value<T>(T value)
        where T : unmanaged => Values(new ReadOnlySpan<T>(in value));

    /// <summary>The finished blob.</summary>
    public byte[] ToArray() => _buffer.WrittenSpan.ToArray();

    private void Byte(byte value)
    {
        _buffer.GetSpan(1)[0] = value;
        _buffer.Advance(1);
    }

    private void Int32(int value)
    {
        BinaryPrimitives.WriteInt32LittleEndian(_buffer.GetSpan(4), value);
        _buffer.Advance(4);
    }
}
