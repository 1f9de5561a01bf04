using System.Globalization;
using System.Text;

namespace Kiln.Batch.Tests;

/// <summary>Generated rows of the bank columns the test model reads, plus an id and a text column that needs quoting.</summary>
internal static class BankRows
{
    public const string Header = "id,age,job,balance,day,duration,campaign,pdays,previous";

    public static List<float[]> Features(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => new float[]
        {
            random.Next(18, 95), random.Next(-3000, 60000), random.Next(1, 32), random.Next(0, 3000),
            random.Next(1, 20), random.Next(-1, 400), random.Next(0, 10),
        }).ToList();
    }

    public static string Job(int row) => (row % 4) switch
    {
        0 => "admin.",
        1 => "blue-collar, night",
        2 => "say \"hi\"",
        _ => "",
    };

    /// <summary>CSV text of the rows; <paramref name="line"/> may replace a row's line (a bad row).</summary>
    public static string Csv(IReadOnlyList<float[]> rows, Func<int, string?>? line = null, int firstId = 0)
    {
        var text = new StringBuilder(Header).Append('\n');
        for (var r = 0; r < rows.Count; r++)
        {
            var f = rows[r];
            var job = Job(r).Contains(',', StringComparison.Ordinal) || Job(r).Contains('"', StringComparison.Ordinal)
                ? "\"" + Job(r).Replace("\"", "\"\"", StringComparison.Ordinal) + "\""
                : Job(r);
            text.Append(line?.Invoke(r) ?? string.Create(CultureInfo.InvariantCulture, $"id-{firstId + r},{f[0]},{job},{f[1]},{f[2]},{f[3]},{f[4]},{f[5]},{f[6]}")).Append('\n');
        }

        return text.ToString();
    }

    /// <summary>A small RFC 4180 reader for checking outputs (quotes, doubled quotes; no line breaks in fields).</summary>
    public static List<string[]> ReadCsv(string path) =>
        File.ReadAllLines(path).Where(l => l.Length > 0).Select(SplitLine).ToList();

    private static string[] SplitLine(string line)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else
            {
                field.Append(c);
            }
        }

        fields.Add(field.ToString());
        return fields.ToArray();
    }
}
