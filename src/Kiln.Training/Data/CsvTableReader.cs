using Kiln.Core;
using Sylvan.Data.Csv;

namespace Kiln.Training.Data;

/// <summary>Reads delimited text with Sylvan's span API: numbers are parsed in place, categories interned.</summary>
internal static class CsvTableReader
{
    private static readonly CsvDataReaderOptions Options = new() { HasHeaders = true, MaxBufferSize = 16 << 20 };

    public static (TabularData Data, string[] Names) Read(string path, HashSet<string> exclude, CancellationToken cancellationToken)
    {
        string[] names;
        ColumnBuilder[] builders;
        int[] ordinals;
        var rows = 0;
        try
        {
            using (var csv = CsvDataReader.Create(path, Options))
            {
                names = new string[csv.FieldCount];
                for (var i = 0; i < names.Length; i++)
                {
                    var name = csv.GetName(i).Trim();
                    names[i] = name.Length > 0 ? name : $"column{i + 1}";
                }

                ordinals = Enumerable.Range(0, names.Length).Where(i => !exclude.Contains(names[i])).ToArray();
                builders = ordinals.Select(i => new ColumnBuilder(names[i])).ToArray();
                while (csv.Read())
                {
                    if ((rows & 0xFFFF) == 0)
                    {
                        cancellationToken.ThrowIfCancellationRequested();
                    }

                    var fields = csv.RowFieldCount;
                    for (var c = 0; c < builders.Length; c++)
                    {
                        var ordinal = ordinals[c];
                        builders[c].Add(ordinal < fields ? csv.GetFieldSpan(ordinal) : []);
                    }

                    rows++;
                }
            }

            Backfill(path, builders, ordinals, cancellationToken);
        }
        catch (CsvFormatException e)
        {
            throw KilnException.Invalid("data", $"file '{Path.GetFileName(path)}' is not valid CSV near row {e.RowNumber}: {e.Message}");
        }

        return (new TabularData(builders.Select(b => b.Build()).ToArray(), rows), names);
    }

    /// <summary>Columns that turned categorical after some numbers need those rows' text: read them again.</summary>
    private static void Backfill(string path, ColumnBuilder[] builders, int[] ordinals, CancellationToken cancellationToken)
    {
        var pending = Enumerable.Range(0, builders.Length).Where(c => builders[c].NeedsBackfill).ToArray();
        if (pending.Length == 0)
        {
            return;
        }

        var until = pending.Max(c => builders[c].TextFrom);
        using var csv = CsvDataReader.Create(path, Options);
        for (var row = 0; row < until && csv.Read(); row++)
        {
            if ((row & 0xFFFF) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            var fields = csv.RowFieldCount;
            foreach (var c in pending)
            {
                if (row < builders[c].TextFrom)
                {
                    builders[c].Backfill(row, ordinals[c] < fields ? csv.GetFieldSpan(ordinals[c]) : []);
                }
            }
        }
    }
}
