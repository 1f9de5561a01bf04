using System.CommandLine;
using System.Globalization;
using Kiln.Batch;
using Kiln.Cli.Batch;
using Kiln.Cli.Output;
using Kiln.Core.Batch;
using Kiln.Core.Serialization;
using Spectre.Console;

namespace Kiln.Cli.Commands;

/// <summary><c>kiln batch</c>: score CSV or Parquet files with a registered model, on this machine, on every core.</summary>
internal static class BatchCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "The model: NAME@ALIAS, NAME/VERSION or NAME (latest)", Required = true };
        var input = new Option<string>("--input") { Description = "A .csv or .parquet file, or a folder of them (scored in name order)", Required = true };
        var output = new Option<string>("--output-file", "--out") { Description = "Where the scored rows go (.csv or .parquet)", Required = true };
        var format = new Option<string?>("--format") { Description = "Output format: csv or parquet (default: from the output file's extension)" };
        var keep = new Option<string?>("--keep-columns") { Description = "Comma-separated input columns to copy beside the scores (an id, say)" };
        var onError = new Option<string>("--on-error") { Description = "A bad row: fail (stop, no output) or skip (leave it out, count it, report it)", DefaultValueFactory = _ => "fail" };
        var badRows = new Option<string?>("--bad-rows") { Description = "With --on-error skip: write every bad row (row, file, column, problem) to this CSV file" };
        var runtime = new Option<string>("--runtime") { Description = "compiled (Kiln's tree engine where it applies) or reference (the model format's own runtime)", DefaultValueFactory = _ => "compiled" };
        var workers = new Option<int>("--workers") { Description = "Blocks scored at once, each on its own thread (default: one more than the cores)" };
        var command = new Command("batch", "Score CSV or Parquet files with a registered model: every core, input order kept, bad rows reported")
        {
            model, input, output, format, keep, onError, badRows, runtime, workers,
        };
        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            var request = new BatchRequest(
                parse.GetValue(input)!,
                parse.GetValue(output)!,
                ParseFormat(parse.GetValue(format)),
                parse.GetValue(keep)?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries),
                ParsePolicy(parse.GetValue(onError)!),
                Workers: parse.GetValue(workers),
                BadRowsFile: parse.GetValue(badRows));
            var reference = parse.GetValue(runtime) switch
            {
                "compiled" => false,
                "reference" => true,
                var other => throw new ArgumentException($"--runtime must be compiled or reference, not '{other}'."),
            };
            if (request.BadRowsFile is not null && request.OnError != BadRowPolicy.Skip)
            {
                throw new ArgumentException("--bad-rows needs --on-error skip (with fail, the first bad row stops the batch).");
            }

            using var client = CommonOptions.CreateClient(parse);
            var version = await client.GetVersionAsync(parse.GetValue(model)!, cancellationToken);
            using var loaded = await LocalModel.LoadAsync(client, version, cancellationToken);
            var scoring = reference ? loaded.ReferenceRuntime : loaded;
            var summary = await BatchProgressDisplay.RunAsync(progress =>
                BatchScorer.RunAsync(scoring, version.ModelName, version.Version, request, progress, cancellationToken));
            Print(summary, parse.GetValue(CommonOptions.Output));
        }));
        return command;
    }

    private static void Print(BatchSummary summary, OutputFormat format)
    {
        if (format == OutputFormat.Json)
        {
            CommandOutput.Json(summary, KilnJsonContext.Default.BatchSummary);
            return;
        }

        var table = new Table().HideHeaders().AddColumn("").AddColumn("");
        table.AddRow("batch", Markup.Escape(summary.BatchId));
        table.AddRow("model", Markup.Escape($"{summary.Model}/{summary.Version}"));
        table.AddRow("rows", summary.Rows.ToString("N0", CultureInfo.InvariantCulture));
        table.AddRow("scored", summary.Scored.ToString("N0", CultureInfo.InvariantCulture));
        table.AddRow("bad rows", summary.BadRows == 0 ? "0" : $"[yellow]{summary.BadRows.ToString("N0", CultureInfo.InvariantCulture)}[/]");
        table.AddRow("time", string.Create(CultureInfo.InvariantCulture, $"{summary.Seconds:F2} s ({summary.RowsPerSecond:N0} rows/s)"));
        table.AddRow("output", Markup.Escape($"{summary.Output} ({summary.OutputFormat.ToString().ToLowerInvariant()}: {string.Join(", ", summary.Columns)})"));
        CommandOutput.Table(table);
        foreach (var bad in summary.FirstBadRows.Take(20))
        {
            CommandOutput.Info($"[yellow]bad row[/] {Markup.Escape(bad.ToString())}");
        }

        if (summary.BadRows > 20)
        {
            CommandOutput.Info($"… and {summary.BadRows - 20:N0} more (--output json lists the first {BatchScorer.ReportedBadRows}; --bad-rows FILE writes them all).");
        }
    }

    private static BatchFileFormat? ParseFormat(string? value) => value?.ToLowerInvariant() switch
    {
        null => null,
        "csv" => BatchFileFormat.Csv,
        "parquet" => BatchFileFormat.Parquet,
        _ => throw new ArgumentException($"--format must be csv or parquet, not '{value}'."),
    };

    private static BadRowPolicy ParsePolicy(string value) => value.ToLowerInvariant() switch
    {
        "fail" => BadRowPolicy.Fail,
        "skip" => BadRowPolicy.Skip,
        _ => throw new ArgumentException($"--on-error must be fail or skip, not '{value}'."),
    };
}
