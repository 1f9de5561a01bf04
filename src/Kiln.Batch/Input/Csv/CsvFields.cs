using System.Runtime.CompilerServices;

namespace Kiln.Batch.Input.Csv;

/// <summary>
/// Splits one CSV record into fields, in place: each field is a (start, end) range of the block, and a quoted field
/// is the range between its quotes with a flag when it holds doubled quotes to undo. Lenient the way spreadsheets
/// are: text after a closing quote runs to the next comma and is dropped.
/// </summary>
internal static class CsvFields
{
    /// <summary>Set on a field's start offset when the field is quoted and holds <c>""</c>.</summary>
    public const int Escaped = 1 << 30;

    /// <summary>Set on a field's start offset when the field was in quotes.</summary>
    public const int Quoted = 1 << 29;

    /// <summary>The offset bits of a field's start; blocks are smaller than this.</summary>
    public const int OffsetMask = Quoted - 1;

    /// <summary>
    /// Splits the record at <paramref name="position"/> (not a blank line), storing fields whose column has a slot
    /// (<paramref name="slots"/>[column] ≥ 0) at <paramref name="cells"/>[2 × slot]. Returns how many fields the record
    /// has and moves <paramref name="position"/> past its end.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // runs once per chunk for a long time: optimised from the first call
    public static int Split(ReadOnlySpan<byte> data, ref int position, ReadOnlySpan<int> slots, Span<int> cells)
    {
        var p = position;
        var column = 0;
        while (true)
        {
            int start;
            int end;
            var escaped = false;
            var quoted = false;
            if (p < data.Length && data[p] == '"')
            {
                quoted = true;
                start = ++p;
                while (true)
                {
                    var quote = data[p..].IndexOf((byte)'"');
                    if (quote < 0)
                    {
                        end = p = data.Length;
                        break;
                    }

                    p += quote;
                    if (p + 1 < data.Length && data[p + 1] == '"')
                    {
                        escaped = true;
                        p += 2;
                        continue;
                    }

                    end = p++;
                    break;
                }

                var rest = data[p..].IndexOfAny((byte)',', (byte)'\n');
                p = rest < 0 ? data.Length : p + rest;
            }
            else
            {
                // Fields are short: a plain loop beats a vectorised search's set-up here.
                start = p;
                while (p < data.Length && data[p] != ',' && data[p] != '\n')
                {
                    p++;
                }

                end = p;
                if (end > start && data[end - 1] == '\r' && (p == data.Length || data[p] == '\n'))
                {
                    end--;
                }
            }

            if (column < slots.Length && slots[column] is var slot and >= 0)
            {
                cells[2 * slot] = start | (escaped ? Escaped : 0) | (quoted ? Quoted : 0);
                cells[(2 * slot) + 1] = end;
            }

            column++;
            if (p >= data.Length)
            {
                break;
            }

            if (data[p++] == '\n')
            {
                break;
            }
        }

        position = p;
        return column;
    }

    /// <summary>Moves past blank lines (empty, or a lone carriage return) at <paramref name="position"/>.</summary>
    public static void SkipBlankLines(ReadOnlySpan<byte> data, ref int position)
    {
        while (position < data.Length)
        {
            if (data[position] == '\n')
            {
                position++;
            }
            else if (data[position] == '\r' && position + 1 < data.Length && data[position + 1] == '\n')
            {
                position += 2;
            }
            else if (data[position] == '\r' && position + 1 == data.Length)
            {
                position++;
            }
            else
            {
                break;
            }
        }
    }

    /// <summary>A field's bytes with doubled quotes undone (a copy only when it has any).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ReadOnlySpan<byte> Text(ReadOnlySpan<byte> data, int start, int end)
    {
        if ((start & Escaped) == 0)
        {
            return data[(start & OffsetMask)..end];
        }

        var raw = data[(start & OffsetMask)..end];
        var copy = new byte[raw.Length];
        var n = 0;
        for (var i = 0; i < raw.Length; i++)
        {
            copy[n++] = raw[i];
            if (raw[i] == '"' && i + 1 < raw.Length && raw[i + 1] == '"')
            {
                i++;
            }
        }

        return copy.AsSpan(0, n);
    }
}
