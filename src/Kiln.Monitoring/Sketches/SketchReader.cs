using System.Buffers.Binary;
using System.Text;

namespace Kiln.Monitoring.Sketches;

/// <summary>Little-endian reader for the sketches' binary form; throws <see cref="FormatException"/> on truncation.</summary>
internal ref struct SketchReader
{
    private ReadOnlySpan<byte> _rest;

    public SketchReader(ReadOnlySpan<byte> bytes) => _rest = bytes;

    public byte Byte() => Take(1)[0];

    public int Int32() => BinaryPrimitives.ReadInt32LittleEndian(Take(4));

    public long Int64() => BinaryPrimitives.ReadInt64LittleEndian(Take(8));

    public double Double() => BinaryPrimitives.ReadDoubleLittleEndian(Take(8));

    public string String() => Encoding.UTF8.GetString(Take(Length()));

    public int Length()
    {
        var length = Int32();
        return length < 0 || length > _rest.Length ? throw new FormatException("The sketch bytes are corrupt.") : length;
    }

    public readonly void ExpectEnd()
    {
        if (!_rest.IsEmpty)
        {
            throw new FormatException("The sketch bytes have trailing data.");
        }
    }

    public void Version(byte expected, string what)
    {
        var version = Byte();
        if (version != expected)
        {
            throw new FormatException($"Unsupported {what} format version {version}; expected {expected}.");
        }
    }

    private ReadOnlySpan<byte> Take(int count)
    {
        if (_rest.Length < count)
        {
            throw new FormatException("The sketch bytes are truncated.");
        }

        var taken = _rest[..count];
        _rest = _rest[count..];
        return taken;
    }
}
