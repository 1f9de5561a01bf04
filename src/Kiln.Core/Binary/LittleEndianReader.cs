using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace Kiln.Core.Binary;

/// <summary>Reads what <see cref="LittleEndianWriter"/> wrote; throws <see cref="FormatException"/> on truncated or corrupt bytes.</summary>
public ref struct LittleEndianReader
{
    private ReadOnlySpan<byte> _rest;

    /// <summary>Reads <paramref name="bytes"/> from the start.</summary>
    public LittleEndianReader(ReadOnlySpan<byte> bytes) => _rest = bytes;

    /// <summary>Reads one byte.</summary>
    public byte Byte() => Take(1)[0];

    /// <summary>Reads a 32-bit integer.</summary>
    public int Int32() => BinaryPrimitives.ReadInt32LittleEndian(Take(4));

    /// <summary>Reads a 64-bit integer.</summary>
    public long Int64() => BinaryPrimitives.ReadInt64LittleEndian(Take(8));

    /// <summary>Reads a double.</summary>
    public double Double() => BinaryPrimitives.ReadDoubleLittleEndian(Take(8));

    /// <summary>Reads a string that may not be null.</summary>
    public string String() => Encoding.UTF8.GetString(Take(Length()));

    /// <summary>Reads a string written as null or text.</summary>
    public string? NullableString()
    {
        var length = Int32();
        return length == -1 ? null : Encoding.UTF8.GetString(Take(Checked(length)));
    }

    /// <summary>Reads a length that must fit in what is left.</summary>
    public int Length() => Checked(Int32());

    /// <summary>Reads <paramref name="count"/> elements written by <see cref="LittleEndianWriter.Values{T}"/>.</summary>
    public T[] Values<T>(int count)
        where T : unmanaged
    {
        var values = new T[Checked(count)];
        Take(checked(count * System.Runtime.CompilerServices.Unsafe.SizeOf<T>())).CopyTo(MemoryMarshal.AsBytes(values.AsSpan()));
        return values;
    }

    /// <summary>Fails unless everything was read.</summary>
    public readonly void ExpectEnd()
    {
        if (!_rest.IsEmpty)
        {
            throw new FormatException("The bytes have trailing data.");
        }
    }

    /// <summary>Reads a format version byte and fails unless it is <paramref name="expected"/>.</summary>
    public void Version(byte expected, string what)
    {
        var version = Byte();
        if (version != expected)
        {
            throw new FormatException($"Unsupported {what} format version {version}; expected {expected}.");
        }
    }

    private readonly int Checked(int length) =>
        length < 0 || length > _rest.Length ? throw new FormatException("The bytes are corrupt.") : length;

    private ReadOnlySpan<byte> Take(int count)
    {
        if (_rest.Length < count)
        {
            throw new FormatException("The bytes are truncated.");
        }

        var taken = _rest[..count];
        _rest = _rest[count..];
        return taken;
    }
}
