using System.Globalization;
using System.Text.Json;
using Kiln.Monitoring.Statistics;
using Kiln.Training.Data;
using Spectre.Console;

namespace Kiln.Cli.Monitoring;

/// <summary>
/// <c>kiln monitor drift --reference a.csv --current b.csv</c>: drift between two files (CSV or Parquet), with the
/// same per-feature tests and dataset rule as live monitoring, computed on the raw values.
/// </summary>
internal static class OfflineDrift
{
    /// <summary>The values <c>--method</c> accepts.</summary>
    public static IReadOnlyList<string> MethodNames { get; } = ["auto", "ks", "chisquare", "wasserstein", "jensenshannon", "psi"];

    /// <summary>Loads both files and compares them (see <see cref="TabularDrift.Compare"/>).</summary>
    public static async Task<DatasetDrift> CompareAsync(string referencePath, string currentPath, DriftOptions options, IReadOnlyList<string>? columns, CancellationToken cancellationToken = default)
    {
        var reference = await TabularReader.LoadAsync(referencePath, cancellationToken: cancellationToken);
        var current = await TabularReader.LoadAsync(currentPath, cancellationToken: cancellationToken);
        return TabularDrift.Compare(reference, current, options, columns);
    }

    /// <summary>The synchronous form of <see cref="CompareAsync"/>.</summary>
    public static DatasetDrift Compare(string referencePath, string currentPath, DriftOptions options, IReadOnlyList<string>? columns) =>
        CompareAsync(referencePath, currentPath, options, columns).GetAwaiter().GetResult();

    /// <summary>Prints the verdict: a JSON document on stdout, or a table and a verdict line.</summary>
    public static void Print(DatasetDrift drift, bool json, double driftShare = 0.5)
    {
        ArgumentNullException.ThrowIfNull(drift);
        if (json)
        {
            Console.Out.WriteLine(JsonSerializer.Serialize(OfflineDriftReport.From(drift), CliJsonContext.Default.OfflineDriftReport));
            return;
        }

        var table = new Table().AddColumns("Feature", "Kind", "Method", "Statistic", "p-value", "Threshold", "Drifted");
        foreach (var feature in drift.Features)
        {
            table.AddRow(
                Markup.Escape(feature.Name),
                feature.Kind,
                MethodName(feature.Method),
                Number(feature.Statistic),
                feature.PValue is { } p ? Number(p) : "-",
                Number(feature.Threshold),
                feature.Drifted ? "[red]yes[/]" : "[green]no[/]");
        }

        AnsiConsole.Write(table);
        var drifted = drift.Features.Count(f => f.Drifted);
        var counts = string.Create(CultureInfo.InvariantCulture, $"{drifted} of {drift.Features.Count} features drifted ({drift.DriftedShare * 100:0.#}%; dataset drift from {driftShare * 100:0.#}%)");
        AnsiConsole.MarkupLine(drift.Drifted ? $"[red bold]Dataset drift detected[/]: {counts}" : $"[green bold]No dataset drift[/]: {counts}");
    }

    /// <summary>Reads a <c>--method</c> value.</summary>
    /// <exception cref="ArgumentException">The value is not one of <see cref="MethodNames"/>.</exception>
    public static DriftMethod ParseMethod(string? value) => value?.Trim().ToUpperInvariant() switch
    {
        null or "" or "AUTO" => DriftMethod.Auto,
        "KS" => DriftMethod.KolmogorovSmirnov,
        "CHISQUARE" => DriftMethod.ChiSquare,
        "WASSERSTEIN" => DriftMethod.Wasserstein,
        "JENSENSHANNON" => DriftMethod.JensenShannon,
        "PSI" => DriftMethod.Psi,
        _ => throw new ArgumentException($"--method '{value}' is not one of {string.Join(", ", MethodNames)}."),
    };

    /// <summary>A method in the spelling <c>--method</c> takes.</summary>
    public static string MethodName(DriftMethod method) => method switch
    {
        DriftMethod.KolmogorovSmirnov => "ks",
        DriftMethod.ChiSquare => "chisquare",
        DriftMethod.Wasserstein => "wasserstein",
        DriftMethod.JensenShannon => "jensenshannon",
        DriftMethod.Psi => "psi",
        _ => "auto",
    };

    private static string Number(double value) => value.ToString(Math.Abs(value) is >= 1e-4 or 0 ? "0.####" : "0.##E+0", CultureInfo.InvariantCulture);
}
