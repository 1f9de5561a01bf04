using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace Kiln.Core.Binary;

/// <summary>
/// Writes the little-endian binary forms Kiln stores (sketches, prediction-log blobs) into one growing buffer; read
/// back with <see cref="LittleEndianReader"/>. A string is an int32 byte length (−1 for null) and its UTF-8 bytes.
/// One writer is reused form after form by one thread (<see cref="Reset"/>).
/// </summary>
public sealed class LittleEndianWriter(int initialCapacity = 256)
{
    private readonly ArrayBufferWriter<byte> _buffer = new(initialCapacity);

    /// <summary>Forgets what was written, keeping the buffer.</summary>
    public void Reset() => _buffer.ResetWrittenCount();

    /// <summary>Writes one byte.</summary>
    public void Byte(byte value)
    {
        _buffer.GetSpan(1)[0] = value;
        _buffer.Advance(1);
    }

    /// <summary>Writes a 32-bit integer.</summary>
    public void Int32(int value)
    {
        BinaryPrimitives.WriteInt32LittleEndian(_buffer.GetSpan(4), value);
        _buffer.Advance(4);
    }

    /// <summary>Writes a 64-bit integer.</summary>
    public void Int64(long value)
    {
        BinaryPrimitives.WriteInt64LittleEndian(_buffer.GetSpan(8), value);
        _buffer.Advance(8);
    }

    /// <summary>Writes a double.</summary>
    public void Double(double value)
    {
        BinaryPrimitives.WriteDoubleLittleEndian(_buffer.GetSpan(8), value);
        _buffer.Advance(8);
    }

    /// <summary>Writes a string (null as length −1).</summary>
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

    /// <summary>Writes elements as they are in memory: little-endian, as on every platform .NET runs on here.</summary>
    public void Values<T>(ReadOnlySpan<T> values)
        where T : unmanaged
    {
        var bytes = MemoryMarshal.AsBytes(values);
        bytes.CopyTo(_buffer.GetSpan(bytes.Length));
        _buffer.Advance(bytes.Length);
    }

    /// <summary>The bytes written since the last <see cref="Reset"/>.</summary>
    public byte[] ToArray() => _buffer.WrittenSpan.ToArray();
}
