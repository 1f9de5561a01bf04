using System.CommandLine;
using System.Globalization;
using Kiln.Cli.Output;
using Kiln.Core.Packaging;
using Kiln.Core.Serialization;
using Kiln.Training.Data;
using Spectre.Console;

namespace Kiln.Cli.Commands;

/// <summary>
/// <c>kiln models profile NAME/VERSION --data FILE</c>: profiles a data file as <c>kiln train</c> profiles its training
/// split and uploads it as the version's drift baseline (imported models have none).
/// </summary>
internal static class ModelsProfileCommand
{
    public static Command Create()
    {
        var reference = new Argument<string>("model") { Description = "NAME/VERSION (or NAME@ALIAS, NAME for the latest)" };
        var data = new Option<string>("--data") { Description = "The training data: a CSV or Parquet file", Required = true };
        var columns = new Option<string?>("--columns") { Description = "Comma-separated columns to profile (default: every column but the label)" };
        var label = new Option<string?>("--label") { Description = "The label column, left out of the profile" };
        var command = new Command("profile", "Profile training data and store it as a model version's drift baseline") { reference, data, columns, label };
        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            var profile = await ProfileAsync(parse.GetValue(data)!, Split(parse.GetValue(columns)), parse.GetValue(label), cancellationToken);
            using var client = CommonOptions.CreateClient(parse);
            var version = await client.GetVersionAsync(parse.GetValue(reference)!, cancellationToken);
            var result = await client.SetProfileAsync(version.ModelName, version.Version, profile, cancellationToken);
            if (parse.GetValue(CommonOptions.Output) == OutputFormat.Json)
            {
                CommandOutput.Json(result, KilnJsonContext.Default.SetProfileResult);
                return;
            }

            CommandOutput.Info($"[green]Profiled[/] {profile.Rows} rows, {profile.Columns.Count} columns as the baseline of {Markup.Escape(version.ModelName)} version {version.Version}");
            if (result.UnknownColumns.Count > 0)
            {
                CommandOutput.Info($"[yellow]warning:[/] not input features of the model, so never compared with traffic: {Markup.Escape(string.Join(", ", result.UnknownColumns))}");
            }

            CommandOutput.Table(Table(profile));
        }));
        return command;
    }

    /// <summary>Loads the file and profiles every row of the chosen columns.</summary>
    internal static async Task<DataProfile> ProfileAsync(string path, IReadOnlyList<string>? columns, string? label, CancellationToken cancellationToken)
    {
        var table = await TabularReader.LoadAsync(path, label is { Length: > 0 } ? [label] : null, cancellationToken);
        var chosen = table.Columns;
        if (columns is { Count: > 0 })
        {
            var unknown = columns.Where(c => !table.TryGetColumn(c, out _)).ToArray();
            if (unknown.Length > 0)
            {
                throw new ArgumentException($"--columns names {string.Join(", ", unknown.Select(u => $"'{u}'"))}, which {Path.GetFileName(path)} does not have.");
            }

            chosen = [.. columns.Distinct(StringComparer.Ordinal).Select(c => { table.TryGetColumn(c, out var column); return column; })];
        }

        return DataProfiler.Profile(chosen, Enumerable.Range(0, table.Rows).ToArray());
    }

    private static Table Table(DataProfile profile)
    {
        var table = new Table().AddColumns("Column", "Kind", "Values", "Missing", "Mean / top category");
        foreach (var column in profile.Columns)
        {
            table.AddRow(
                Markup.Escape(column.Name),
                column.Kind,
                (profile.Rows - column.Missing).ToString(CultureInfo.InvariantCulture),
                column.Missing.ToString(CultureInfo.InvariantCulture),
                Markup.Escape(Summary(column)));
        }

        return table;
    }

    private static string Summary(ColumnProfile column)
    {
        if (column.Numeric is { } numeric)
        {
            return numeric.Mean.ToString("0.####", CultureInfo.InvariantCulture);
        }

        if (column.Categorical is { Frequencies.Count: > 0 } categorical)
        {
            var top = categorical.Frequencies.MaxBy(p => p.Value);
            return $"{top.Key} ({top.Value.ToString(CultureInfo.InvariantCulture)})";
        }

        return "-";
    }

    private static string[]? Split(string? list) => list?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
}
