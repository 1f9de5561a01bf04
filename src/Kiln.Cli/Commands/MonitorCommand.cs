using System.CommandLine;
using System.Globalization;
using Kiln.Cli.Monitoring;
using Kiln.Cli.Output;
using Kiln.Core.Api;
using Kiln.Core.Serialization;
using Kiln.Monitoring.Statistics;
using Spectre.Console;

namespace Kiln.Cli.Commands;

/// <summary><c>kiln monitor predictions|quality|drift</c>: what a deployment is doing in production.</summary>
internal static class MonitorCommand
{
    public static Command Create()
    {
        var command = new Command("monitor", "Prediction log, model quality and drift of a deployment");
        command.Subcommands.Add(CreatePredictions());
        command.Subcommands.Add(CreateQuality());
        command.Subcommands.Add(CreateDrift());
        return command;
    }

    private static Option<string?> Since() => new("--since") { Description = "Start: ISO 8601 time or a duration before now (e.g. 1h, 7d)" };

    private static Option<string?> Until() => new("--until") { Description = "End: ISO 8601 time or a duration before now (default: now)" };

    private static Option<int?> Version() => new("--version") { Description = "Only this model version" };

    private static Command CreatePredictions()
    {
        var deployment = new Argument<string>("deployment");
        var since = Since();
        var until = Until();
        var version = Version();
        var limit = new Option<int>("--limit") { Description = "Rows to show (1–1000)", DefaultValueFactory = _ => 20 };
        var export = new Option<string?>("--export") { Description = "Write every matching row to FILE (.csv or .parquet) instead of showing a page" };
        var command = new Command("predictions", "Show or export logged predictions") { deployment, since, until, version, limit, export };
        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            using var client = CommonOptions.CreateClient(parse);
            var name = parse.GetValue(deployment)!;
            if (parse.GetValue(export) is { } file)
            {
                var format = Path.GetExtension(file).Equals(".parquet", StringComparison.OrdinalIgnoreCase) ? "parquet" : "csv";
                await using (var stream = File.Create(file))
                {
                    await client.ExportPredictionsAsync(name, format, stream, parse.GetValue(since), parse.GetValue(until), parse.GetValue(version), cancellationToken);
                }

                CommandOutput.Info($"[green]Exported[/] {Markup.Escape(name)}'s predictions to {Markup.Escape(file)} ({format}, {new FileInfo(file).Length:N0} bytes)");
                return;
            }

            var page = await client.GetPredictionsAsync(name, parse.GetValue(since), parse.GetValue(until), parse.GetValue(version), limit: parse.GetValue(limit), cancellationToken: cancellationToken);
            if (parse.GetValue(CommonOptions.Output) == OutputFormat.Json)
            {
                CommandOutput.Json(page, KilnJsonContext.Default.PredictionPage);
                return;
            }

            var table = new Table().AddColumns("Time", "Request", "Row", "Version", "Prediction", "Score", "Label", "Latency ms", "Inputs");
            foreach (var p in page.Predictions)
            {
                var inputs = p.Inputs.GetRawText();
                table.AddRow(
                    p.Timestamp.ToString("u", CultureInfo.InvariantCulture), Markup.Escape(p.RequestId), p.Row.ToString(CultureInfo.InvariantCulture),
                    p.Version.ToString(CultureInfo.InvariantCulture), Markup.Escape(p.Prediction ?? ""), p.Score?.ToString("0.0000", CultureInfo.InvariantCulture) ?? "",
                    Markup.Escape(p.Label ?? ""), p.LatencyMs.ToString("0.000", CultureInfo.InvariantCulture), Markup.Escape(inputs.Length > 60 ? inputs[..57] + "..." : inputs));
            }

            CommandOutput.Table(table);
        }));
        return command;
    }

    private static Command CreateQuality()
    {
        var deployment = new Argument<string>("deployment");
        var window = new Option<string?>("--window") { Description = "Window length (default 1h)" };
        var since = Since();
        var until = Until();
        var version = Version();
        var last = new Option<int?>("--last") { Description = "Instead of windows: the last N labelled predictions" };
        var command = new Command("quality", "Model quality per version and window, from ground truth") { deployment, window, since, until, version, last };
        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            using var client = CommonOptions.CreateClient(parse);
            var report = await client.GetQualityAsync(parse.GetValue(deployment)!, parse.GetValue(window), parse.GetValue(since), parse.GetValue(until), parse.GetValue(version), parse.GetValue(last), cancellationToken);
            if (parse.GetValue(CommonOptions.Output) == OutputFormat.Json)
            {
                CommandOutput.Json(report, KilnJsonContext.Default.QualityReport);
                return;
            }

            // The table shows the headline metrics; --output json has every one.
            string[] headline = report.Task switch
            {
                "binary" => ["accuracy", "f1", "roc_auc", "log_loss"],
                "multiclass" => ["accuracy", "macro_f1"],
                _ => ["mae", "rmse", "r2"],
            };
            var table = new Table().AddColumns(["Ver", "Window", "Preds", "Labels", "Cover", "Delay", .. headline]);
            void Row(string version, string start, QualityWindow w) => table.AddRow([
                version, start, w.Predictions.ToString(CultureInfo.InvariantCulture), w.Labelled.ToString(CultureInfo.InvariantCulture),
                w.LabelCoverage.ToString("P0", CultureInfo.InvariantCulture), w.MeanLabelDelaySeconds is { } d ? $"{d:0}s" : "",
                .. headline.Select(n => w.Metrics.TryGetValue(n, out var value) ? value.ToString("0.000", CultureInfo.InvariantCulture) : "")]);
            foreach (var v in report.Versions)
            {
                foreach (var w in v.Windows)
                {
                    Row(v.ModelVersion.ToString(CultureInfo.InvariantCulture), w.Start.ToString("MM-dd HH:mm", CultureInfo.InvariantCulture), w);
                }

                Row($"[bold]{v.ModelVersion}[/]", "[bold]all[/]", v.Overall);
            }

            Row("[bold]all[/]", "[bold]all[/]", report.Overall);
            CommandOutput.Info($"Quality of [bold]{Markup.Escape(report.Deployment)}[/] ({report.Task}) from {report.Since:u} to {report.Until:u}{(report.Window is { } size ? $", {size} windows" : $", last {report.Last} labelled")}");
            CommandOutput.Table(table);
        }));
        return command;
    }

    private static Command CreateDrift()
    {
        var deployment = new Argument<string?>("deployment") { Arity = ArgumentArity.ZeroOrOne, Description = "The deployment (omit with --reference/--current)" };
        var window = new Option<string?>("--window") { Description = "Window length before --until (default 1h)" };
        var since = Since();
        var until = Until();
        var version = Version();
        var method = new Option<string?>("--method") { Description = "auto (Evidently's choice), ks, chisquare, wasserstein, jensenshannon or psi" };
        var threshold = new Option<double?>("--threshold") { Description = "p-value (ks, chisquare) or distance threshold for the method" };
        var share = new Option<double?>("--drift-share") { Description = "Share of drifted features that makes the dataset drifted (default 0.5)" };
        var reference = new Option<string?>("--reference") { Description = "Offline mode: the reference CSV or Parquet file" };
        var current = new Option<string?>("--current") { Description = "Offline mode: the current CSV or Parquet file" };
        var columns = new Option<string?>("--columns") { Description = "Offline mode: only these comma-separated columns" };
        var command = new Command("drift", "Data and prediction drift of a deployment's traffic against the training profile, or of two files")
        {
            deployment, window, since, until, version, method, threshold, share, reference, current, columns,
        };
        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            var json = parse.GetValue(CommonOptions.Output) == OutputFormat.Json;
            if (parse.GetValue(reference) is { } referencePath)
            {
                var currentPath = parse.GetValue(current) ?? throw new ArgumentException("--current is required with --reference.");
                var options = new DriftOptions
                {
                    Method = OfflineDrift.ParseMethod(parse.GetValue(method)),
                    Threshold = parse.GetValue(threshold),
                    DatasetDriftShare = parse.GetValue(share) ?? 0.5,
                };
                var only = parse.GetValue(columns)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                var drift = await OfflineDrift.CompareAsync(referencePath, currentPath, options, only, cancellationToken);
                OfflineDrift.Print(drift, json, options.DatasetDriftShare);
                return;
            }

            var name = parse.GetValue(deployment) ?? throw new ArgumentException("Name a deployment, or give --reference and --current files.");
            using var client = CommonOptions.CreateClient(parse);
            var report = await client.GetDriftAsync(name, parse.GetValue(window), parse.GetValue(since), parse.GetValue(until), parse.GetValue(version), parse.GetValue(method), parse.GetValue(threshold), cancellationToken);
            if (json)
            {
                CommandOutput.Json(report, KilnJsonContext.Default.DriftReport);
                return;
            }

            var table = new Table().AddColumns("Feature", "Kind", "Method", "Statistic", "p-value", "Threshold", "Drifted", "Reference", "Current");
            foreach (var f in report.Prediction is null ? report.Features : [.. report.Features, report.Prediction])
            {
                table.AddRow(
                    Markup.Escape(f.Name), f.Kind, f.Method, f.Statistic.ToString("0.0000", CultureInfo.InvariantCulture), f.PValue?.ToString("0.0000", CultureInfo.InvariantCulture) ?? "",
                    f.Threshold.ToString("0.###", CultureInfo.InvariantCulture), f.Drifted ? "[red]yes[/]" : "[green]no[/]",
                    f.ReferenceCount.ToString("N0", CultureInfo.InvariantCulture), f.CurrentCount.ToString("N0", CultureInfo.InvariantCulture));
            }

            CommandOutput.Info($"Drift of [bold]{Markup.Escape(report.Deployment)}[/] ({Markup.Escape(report.Model)}/{report.ModelVersion}) from {report.Since:u} to {report.Until:u}: {report.CurrentRows:N0} rows vs {report.ReferenceRows:N0} training rows");
            CommandOutput.Table(table);
            CommandOutput.Info(report.DatasetDrift
                ? $"[red]Dataset drift[/]: {report.DriftedShare:P0} of features drifted (threshold {report.DriftShareThreshold:P0})"
                : $"[green]No dataset drift[/]: {report.DriftedShare:P0} of features drifted (threshold {report.DriftShareThreshold:P0})");
            foreach (var note in report.Notes)
            {
                CommandOutput.Info($"[yellow]note[/]: {Markup.Escape(note)}");
            }
        }));
        return command;
    }
}
