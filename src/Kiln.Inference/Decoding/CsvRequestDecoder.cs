using System.Text;
using Kiln.Core;

namespace Kiln.Inference.Decoding;

/// <summary>Decodes MLflow's <c>text/csv</c> scoring input: a header row of column names, then one row per record.</summary>
public static class CsvRequestDecoder
{
    private static readonly CompositeFormat Naming = CompositeFormat.Parse("csv row {0}, column '{1}'");

    public static DecodedRequest Decode(ReadOnlyMemory<byte> body, InputLayout layout)
    {
        string text;
        try
        {
            text = new UTF8Encoding(false, true).GetString(body.Span);
        }
        catch (DecoderFallbackException)
        {
            throw KilnException.Invalid("body", "is not valid UTF-8 text.");
        }

        var records = Parse(text);
        if (records.Count < 2)
        {
            throw KilnException.Invalid("body", "CSV needs a header row and at least one data row.");
        }

        var header = records[0];
        var slots = header.Select(name => RecordDecoder.ResolveField(layout, name.Trim(), "csv header")).ToArray();
        var builder = new BatchBuilder(layout);
        builder.BeginRows(records.Count - 1, "body");
        for (var r = 1; r < records.Count; r++)
        {
            var row = records[r];
            if (row.Count != slots.Length)
            {
                throw KilnException.Invalid($"csv row {r}", $"has {row.Count} values but the header names {slots.Length} columns.");
            }

            for (var c = 0; c < slots.Length; c++)
            {
                builder.WriteFieldText(slots[c], r - 1, row[c], Naming);
            }

            builder.EnsureRowComplete(r - 1, $"csv row {r}");
        }

        return new DecodedRequest(builder.Build(), null, null);
    }

    /// <summary>RFC 4180: comma-separated, fields optionally in double quotes with "" for a quote; blank lines skipped.</summary>
    internal static List<List<string>> Parse(string text)
    {
        var records = new List<List<string>>();
        var record = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        var fieldStarted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var ch = text[i];
            if (quoted)
            {
                if (ch == '"')
                {
                    if (i + 1 < text.Length && text[i + 1] == '"')
                    {
                        field.Append('"');
                        i++;
                    }
                    else
                    {
                        quoted = false;
                    }
                }
                else
                {
                    field.Append(ch);
                }

                continue;
            }

            switch (ch)
            {
                case '"' when field.Length == 0:
                    quoted = true;
                    fieldStarted = true;
                    break;
                case ',':
                    record.Add(field.ToString());
                    field.Clear();
                    fieldStarted = true;
                    break;
                case '\r':
                    break;
                case '\n':
                    EndRecord();
                    break;
                default:
                    field.Append(ch);
                    fieldStarted = true;
                    break;
            }
        }

        if (quoted)
        {
            throw KilnException.Invalid("body", "CSV ends inside a quoted field.");
        }

        EndRecord();
        return records;

        void EndRecord()
        {
            if (fieldStarted || record.Count > 0)
            {
                record.Add(field.ToString());
                records.Add(record);
                record = [];
            }

            field.Clear();
            fieldStarted = false;
        }
    }
}
