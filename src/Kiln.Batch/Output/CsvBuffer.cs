using System.Buffers;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;

namespace Kiln.Batch.Output;

/// <summary>
/// A growing UTF-8 buffer that CSV rows are formatted into on a worker thread, then written out whole in order.
/// Numbers are written straight as UTF-8 (shortest round-trip text for floating point, empty for NaN); text is
/// quoted only when it holds a comma, a quote or a line break.
/// </summary>
internal sealed class CsvBuffer : IDisposable
{
    private static readonly SearchValues<byte> NeedsQuotes = SearchValues.Create(",\"\r\n"u8);
    private byte[] _buffer;
    private int _length;

    public CsvBuffer(int capacity) => _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(capacity, 256));

    public ReadOnlyMemory<byte> Written => _buffer.AsMemory(0, _length);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Comma() => Byte((byte)',');

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void EndRow() => Byte((byte)'\n');

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Byte(byte value)
    {
        if (_length == _buffer.Length)
        {
            Grow(1);
        }

        _buffer[_length++] = value;
    }

    /// <summary>Bytes that are already a CSV field (a kept field copied from a CSV input).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Raw(ReadOnlySpan<byte> bytes)
    {
        if (_buffer.Length - _length < bytes.Length)
        {
            Grow(bytes.Length);
        }

        bytes.CopyTo(_buffer.AsSpan(_length));
        _length += bytes.Length;
    }

    /// <summary>UTF-8 text as one field, in quotes (with quotes doubled) when it needs them.</summary>
    public void Text(ReadOnlySpan<byte> utf8)
    {
        if (utf8.IndexOfAny(NeedsQuotes) < 0)
        {
            Raw(utf8);
            return;
        }

        Byte((byte)'"');
        foreach (var b in utf8)
        {
            if (b == '"')
            {
                Byte(b);
            }

            Byte(b);
        }

        Byte((byte)'"');
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // a hot loop of batch scoring: optimised from its first call
    public void Text(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return;
        }

        var max = Encoding.UTF8.GetMaxByteCount(text.Length);
        if (max <= 256)
        {
            Span<byte> utf8 = stackalloc byte[256];
            Text(utf8[..Encoding.UTF8.GetBytes(text, utf8)]);
        }
        else
        {
            Text(Encoding.UTF8.GetBytes(text));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Number(float value)
    {
        if (!float.IsNaN(value))
        {
            Format(value);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Number(double value)
    {
        if (!double.IsNaN(value))
        {
            Format(value);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Number(long value) => Format(value);

    public void Boolean(bool value) => Raw(value ? "true"u8 : "false"u8);

    public void Clear() => _length = 0;

    public void Dispose()
    {
        var buffer = _buffer;
        _buffer = [];
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Format<T>(T value)
        where T : IUtf8SpanFormattable
    {
        if (!value.TryFormat(_buffer.AsSpan(_length), out var written, default, CultureInfo.InvariantCulture))
        {
            Grow(64);
            value.TryFormat(_buffer.AsSpan(_length), out written, default, CultureInfo.InvariantCulture);
        }

        _length += written;
    }

    private void Grow(int needed)
    {
        var next = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, _length + needed));
        _buffer.AsSpan(0, _length).CopyTo(next);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = next;
    }
}
