using System.Globalization;

namespace Kiln.Training.Data;

/// <summary>Writes tables as RFC 4180 CSV with a header row: the format pipeline datasets are stored in.</summary>
public static class TabularCsv
{
    /// <summary>Writes the header and the given rows, each an array of values in column order (null for missing).</summary>
    public static void Write(TextWriter writer, IReadOnlyList<string> columns, IEnumerable<IReadOnlyList<string?>> rows)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteLine(string.Join(',', columns.Select(Escape)));
        foreach (var row in rows)
        {
            for (var i = 0; i < row.Count; i++)
            {
                if (i > 0)
                {
                    writer.Write(',');
                }

                writer.Write(Escape(row[i]));
            }

            writer.WriteLine();
        }
    }

    /// <summary>Writes the rows <paramref name="rows"/> (indices into <paramref name="data"/>) with every column.</summary>
    public static void Write(TextWriter writer, TabularData data, IEnumerable<int> rows)
    {
        ArgumentNullException.ThrowIfNull(data);
        Write(writer, data.Columns.Select(c => c.Name).ToList(), rows.Select(r => (IReadOnlyList<string?>)data.Columns.Select(c => c.Text(r)).ToArray()));
    }

    /// <summary>A field, quoted when it holds a comma, quote or line break.</summary>
    public static string Escape(string? value) =>
        value is null ? string.Empty
        : value.AsSpan().IndexOfAny(",\"\r\n") < 0 ? value
        : "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <summary>A number the way the CSV reader reads it back.</summary>
    public static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
