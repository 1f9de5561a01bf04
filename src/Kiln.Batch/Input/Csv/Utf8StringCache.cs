using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Text;

namespace Kiln.Batch.Input.Csv;

/// <summary>
/// Turns a column's UTF-8 cells into strings, giving the same string for the same bytes while the column repeats
/// itself (a categorical column has a few dozen values in a million rows). Without it every cell of a string input
/// is a new string that lives as long as its chunk, long enough to be promoted and collected at a cost far above its
/// use. Direct-mapped: a slot holds the last value that hashed to it. A column that keeps missing (identifiers, free
/// text) stops being cached.
/// </summary>
internal sealed class Utf8StringCache
{
    private const int SlotBits = 9;
    private const int Slots = 1 << SlotBits;
    private const int LongestCached = 64;
    private const int TrialLookups = 4096;

    private readonly byte[]?[] _keys = new byte[Slots][];
    private readonly string[] _values = new string[Slots];
    private int _lookups;
    private int _misses;
    private bool _off;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // a hot loop of batch scoring: optimised from its first call
    public string Get(ReadOnlySpan<byte> utf8)
    {
        if (_off || utf8.Length > LongestCached)
        {
            return Encoding.UTF8.GetString(utf8);
        }

        _lookups++;
        var slot = Slot(utf8);
        if (_keys[slot] is { } key && utf8.SequenceEqual(key))
        {
            return _values[slot];
        }

        var value = Encoding.UTF8.GetString(utf8);
        _keys[slot] = utf8.ToArray();
        _values[slot] = value;
        if (++_misses > TrialLookups / 4 && _lookups <= TrialLookups)
        {
            // More than a quarter of the first lookups missed: the column does not repeat enough to pay for caching.
            _off = true;
        }

        return value;
    }

    /// <summary>
    /// A slot from the length and the first and last eight bytes: all a cache of short values needs, and far cheaper
    /// than hashing every byte (a collision only costs a miss, the bytes are compared in full).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Slot(ReadOnlySpan<byte> utf8)
    {
        ulong head, tail;
        if (utf8.Length >= sizeof(ulong))
        {
            head = BinaryPrimitives.ReadUInt64LittleEndian(utf8);
            tail = BinaryPrimitives.ReadUInt64LittleEndian(utf8[^sizeof(ulong)..]);
        }
        else
        {
            head = 0;
            foreach (var b in utf8)
            {
                head = (head << 8) | b;
            }

            tail = 0;
        }

        var mixed = ((head * 0x9E3779B97F4A7C15UL) ^ tail ^ (ulong)utf8.Length) * 0xC2B2AE3D27D4EB4FUL;
        return (int)(mixed >> (64 - SlotBits));
    }
}
