using System.Globalization;

namespace Kiln.Training.Demo;

/// <summary>
/// Deterministic synthetic rows with the schema of the UCI Bank Marketing data (<c>bank-full.csv</c>),
/// following the distributions and label model of the peers' <c>bankgen.py</c> (about 12–13% "yes").
/// <para>
/// <c>drift</c> ≥ 0 describes a new customer segment: older (+8 years per unit), wealthier (+500 balance
/// per unit), longer calls (duration × (1 + drift)), reached more often by cellular phone, and with more
/// retired, management and self-employed customers. Drift 0 is the training population.
/// </para>
/// </summary>
public static class BankMarketingGenerator
{
    /// <summary>The label column.</summary>
    public const string LabelColumn = "y";

    /// <summary>The columns in <c>bank-full.csv</c> order; the last is the label.</summary>
    public static IReadOnlyList<string> Columns { get; } =
        ["age", "job", "marital", "education", "default", "balance", "housing", "loan", "contact", "day", "month", "duration", "campaign", "pdays", "previous", "poutcome", "y"];

    /// <summary>The categories of each categorical column, as in the real data.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<string>> Categories { get; } = new Dictionary<string, IReadOnlyList<string>>
    {
        ["job"] = BankMarketingRow.Jobs,
        ["marital"] = ["married", "single", "divorced"],
        ["education"] = ["primary", "secondary", "tertiary", "unknown"],
        ["default"] = ["no", "yes"],
        ["housing"] = ["yes", "no"],
        ["loan"] = ["no", "yes"],
        ["contact"] = ["cellular", "unknown", "telephone"],
        ["month"] = BankMarketingRow.Months,
        ["poutcome"] = ["failure", "other", "success", "unknown"],
        ["y"] = ["no", "yes"],
    };

    /// <summary>Generates <paramref name="rows"/> rows; the same arguments always give the same rows.</summary>
    public static IEnumerable<BankMarketingRow> Generate(int rows, int seed = 0, double drift = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        if (!(drift >= 0) || double.IsInfinity(drift))
        {
            throw new ArgumentOutOfRangeException(nameof(drift), drift, "Drift must be a finite number ≥ 0.");
        }

        return Iterate(rows, seed, drift);
    }

    /// <summary>Writes a header and <paramref name="rows"/> rows as CSV (invariant culture, no quoting needed).</summary>
    public static void Write(TextWriter writer, int rows, int seed = 0, double drift = 0)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.Write(string.Join(',', Columns));
        writer.Write('\n');
        Span<char> line = stackalloc char[512];
        foreach (var row in Generate(rows, seed, drift))
        {
            var length = row.Format(line);
            line[length++] = '\n';
            writer.Write(line[..length]);
        }
    }

    /// <summary>Writes the CSV to a file, creating its folder; returns the full path.</summary>
    public static string WriteFile(string path, int rows, int seed = 0, double drift = 0)
    {
        var full = Path.GetFullPath(path);
        if (Path.GetDirectoryName(full) is { Length: > 0 } folder)
        {
            Directory.CreateDirectory(folder);
        }

        using var stream = new FileStream(full, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        using var writer = new StreamWriter(stream, new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: false), 1 << 16);
        Write(writer, rows, seed, drift);
        return full;
    }

    private static IEnumerable<BankMarketingRow> Iterate(int rows, int seed, double drift)
    {
        var sampler = new BankMarketingSampler(seed, drift);
        for (var i = 0; i < rows; i++)
        {
            yield return sampler.Next();
        }
    }
}

/// <summary>One synthetic customer contact: the 16 features and the label <see cref="Y"/>.</summary>
public readonly record struct BankMarketingRow(
    int Age, string Job, string Marital, string Education, string Default, int Balance, string Housing, string Loan,
    string Contact, int Day, string Month, int Duration, int Campaign, int Pdays, int Previous, string Poutcome, string Y)
{
    internal static readonly string[] Jobs =
        ["admin.", "blue-collar", "entrepreneur", "housemaid", "management", "retired", "self-employed", "services", "student", "technician", "unemployed", "unknown"];

    internal static readonly string[] Months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

    /// <summary>Writes the row as one CSV line (no newline) into <paramref name="destination"/>; returns the length.</summary>
    public int Format(Span<char> destination)
    {
        var at = 0;
        Number(destination, ref at, Age);
        Text(destination, ref at, Job);
        Text(destination, ref at, Marital);
        Text(destination, ref at, Education);
        Text(destination, ref at, Default);
        Number(destination, ref at, Balance, comma: true);
        Text(destination, ref at, Housing);
        Text(destination, ref at, Loan);
        Text(destination, ref at, Contact);
        Number(destination, ref at, Day, comma: true);
        Text(destination, ref at, Month);
        Number(destination, ref at, Duration, comma: true);
        Number(destination, ref at, Campaign, comma: true);
        Number(destination, ref at, Pdays, comma: true);
        Number(destination, ref at, Previous, comma: true);
        Text(destination, ref at, Poutcome);
        Text(destination, ref at, Y);
        return at;

        static void Number(Span<char> destination, ref int at, int value, bool comma = false)
        {
            if (comma)
            {
                destination[at++] = ',';
            }

            value.TryFormat(destination[at..], out var written, provider: CultureInfo.InvariantCulture);
            at += written;
        }

        static void Text(Span<char> destination, ref int at, string value)
        {
            destination[at++] = ',';
            value.CopyTo(destination[at..]);
            at += value.Length;
        }
    }
}
