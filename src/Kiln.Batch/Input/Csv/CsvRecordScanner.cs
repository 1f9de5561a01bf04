namespace Kiln.Batch.Input.Csv;

/// <summary>
/// Finds where whole CSV records end in a block of bytes and counts them, so that blocks can be split into fields
/// on other threads. RFC 4180: a newline inside double quotes belongs to the field; a blank line (empty, or a lone
/// carriage return) is not a record. Blocks without a quote character take a vectorised path.
/// </summary>
internal static class CsvRecordScanner
{
    /// <summary>
    /// Scans <paramref name="data"/>, which starts at a record boundary. <paramref name="cut"/> is the end of the
    /// last whole record (all of the data when <paramref name="final"/>); false when no record ends in it.
    /// </summary>
    public static bool TryScan(ReadOnlySpan<byte> data, bool final, out int cut, out int records)
    {
        if (data.IndexOf((byte)'"') < 0 && TryScanUnquoted(data, final, out cut, out records))
        {
            return true;
        }

        return TryScanQuoted(data, final, out cut, out records);
    }

    private static bool TryScanUnquoted(ReadOnlySpan<byte> data, bool final, out int cut, out int records)
    {
        var last = data.LastIndexOf((byte)'\n');
        cut = final ? data.Length : last + 1;
        records = 0;
        if (cut == 0)
        {
            return final;
        }

        var body = data[..(last + 1)];
        if (body.StartsWith("\n"u8) || body.StartsWith("\r\n"u8) || body.IndexOf("\n\n"u8) >= 0 || body.IndexOf("\n\r\n"u8) >= 0)
        {
            return false;
        }

        records = body.Count((byte)'\n');
        if (final && !IsBlank(data[(last + 1)..]))
        {
            records++;
        }

        return true;
    }

    /// <summary>
    /// Follows the same states as <see cref="CsvFields.Split"/>: a quote opens a quoted field only at the start of a
    /// field, a quote inside an unquoted field is an ordinary character, and a doubled quote inside a quoted field is
    /// one quote. So the records counted here are exactly the records the splitter finds.
    /// </summary>
    private static bool TryScanQuoted(ReadOnlySpan<byte> data, bool final, out int cut, out int records)
    {
        cut = 0;
        records = 0;
        var state = State.FieldStart;
        var lineStart = 0;
        for (var i = 0; i < data.Length; i++)
        {
            var b = data[i];
            switch (state)
            {
                case State.Quoted:
                    if (b == '"')
                    {
                        state = State.QuoteInQuoted;
                    }

                    continue;
                case State.QuoteInQuoted when b == '"':
                    state = State.Quoted;
                    continue;
                case State.FieldStart when b == '"':
                    state = State.Quoted;
                    continue;
            }

            if (b == ',')
            {
                state = State.FieldStart;
            }
            else if (b == '\n')
            {
                if (!IsBlank(data[lineStart..i]))
                {
                    records++;
                }

                cut = i + 1;
                lineStart = i + 1;
                state = State.FieldStart;
            }
            else
            {
                state = State.Unquoted;
            }
        }

        if (!final)
        {
            return cut > 0;
        }

        if (state == State.Quoted)
        {
            throw new Core.KilnException("input: the file ends inside a quoted field (a double quote that never closes).");
        }

        if (!IsBlank(data[lineStart..]))
        {
            records++;
        }

        cut = data.Length;
        return true;
    }

    /// <summary>A line with nothing in it but, perhaps, a carriage return.</summary>
    public static bool IsBlank(ReadOnlySpan<byte> line) => line.IsEmpty || (line.Length == 1 && line[0] == '\r');

    private enum State
    {
        FieldStart,
        Unquoted,
        Quoted,
        QuoteInQuoted,
    }
}
