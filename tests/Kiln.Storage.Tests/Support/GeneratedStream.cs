using System.Security.Cryptography;

namespace Kiln.Storage.Tests.Support;

/// <summary>
/// Pseudo-random bytes made as they are read (xorshift from a seed), so a test can store content far
/// larger than it would want to hold, and without allocating while it is read.
/// </summary>
public sealed class GeneratedStream(long length, ulong seed = 0x9E3779B97F4A7C15) : Stream
{
    private ulong _state = seed | 1;
    private long _position;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => length;

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    /// <summary>The SHA-256 (lower-case hex) of the content a stream with this length and seed yields.</summary>
    public static string Sha256Of(long length, ulong seed = 0x9E3779B97F4A7C15)
    {
        using var stream = new GeneratedStream(length, seed);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    public override int Read(Span<byte> buffer)
    {
        var count = (int)Math.Min(buffer.Length, length - _position);
        for (var i = 0; i < count; i++)
        {
            _state ^= _state << 13;
            _state ^= _state >> 7;
            _state ^= _state << 17;
            buffer[i] = (byte)_state;
        }

        _position += count;
        return count;
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Read(buffer.Span));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        Task.FromResult(Read(buffer.AsSpan(offset, count)));

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
