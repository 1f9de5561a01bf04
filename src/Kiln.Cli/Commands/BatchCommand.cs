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
        var log = new Option<bool>("--log") { Description = "Also send the scored rows to a deployment's prediction log (variant 'batch'), so drift and quality cover them; ground truth joins by request_id and row" };
        var deployment = new Option<string?>("--deployment") { Description = "With --log: the deployment whose log takes the rows (default: the one deployment serving the model)" };
        var logSample = new Option<double?>("--log-sample") { Description = "With --log: the share of rows to log, 0-1, in blocks of up to 256 rows (default: the deployment's log sample rate)" };
        var workers = new Option<int>("--workers") { Description = "Blocks scored at once, each on its own thread (default: one more than the cores)" };
        var command = new Command("batch", "Score CSV or Parquet files with a registered model: every core, input order kept, bad rows reported")
        {
            model, input, output, format, keep, onError, badRows, runtime, log, deployment, logSample, workers,
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

            if (!parse.GetValue(log) && (parse.GetValue(deployment) is not null || parse.GetValue(logSample) is not null))
            {
                throw new ArgumentException("--deployment and --log-sample go with --log.");
            }

            if (parse.GetValue(logSample) is < 0 or > 1)
            {
                throw new ArgumentException("--log-sample must be between 0 and 1.");
            }

            using var client = CommonOptions.CreateClient(parse);
            var version = await client.GetVersionAsync(parse.GetValue(model)!, cancellationToken);
            ServerBatchLog? predictions = null;
            string? loggedTo = null;
            if (parse.GetValue(log))
            {
                var target = await LogTargetAsync(client, version.ModelName, parse.GetValue(deployment), cancellationToken);
                loggedTo = target.Name;
                predictions = new ServerBatchLog(client, target.Name, version.ModelName, version.Version, parse.GetValue(logSample) ?? target.LogSampleRate);
            }

            using var loaded = await LocalModel.LoadAsync(client, version, cancellationToken);
            var scoring = reference ? loaded.ReferenceRuntime : loaded;
            var summary = await BatchProgressDisplay.RunAsync(progress =>
                BatchScorer.RunAsync(scoring, version.ModelName, version.Version, request, progress, cancellationToken, predictions));
            Print(summary with { LoggedTo = loggedTo }, parse.GetValue(CommonOptions.Output));
        }));
        return command;
    }

    /// <summary>The deployment named, or else the one deployment whose variants serve the model.</summary>
    private static async Task<Core.Deployments.Deployment> LogTargetAsync(Client.KilnClient client, string model, string? name, CancellationToken cancellationToken)
    {
        if (name is not null)
        {
            return (await client.GetDeploymentAsync(name, cancellationToken)).Deployment;
        }

        var serving = (await client.ListDeploymentsAsync(cancellationToken))
            .Select(d => d.Deployment)
            .Where(d => d.Variants.Any(v => v.ModelName == model))
            .ToList();
        return serving.Count switch
        {
            1 => serving[0],
            0 => throw new ArgumentException($"--log: no deployment serves model '{model}'; name one with --deployment."),
            _ => throw new ArgumentException($"--log: deployments {string.Join(", ", serving.Select(d => d.Name))} serve model '{model}'; name one with --deployment."),
        };
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
        if (summary.LoggedTo is { } loggedTo)
        {
            table.AddRow("logged", Markup.Escape($"{summary.LoggedRows.ToString("N0", CultureInfo.InvariantCulture)} rows to deployment {loggedTo} (variant batch)"));
        }

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
