using System.CommandLine;
using System.Globalization;
using Kiln.Cli.Output;
using Kiln.Core.Serialization;
using Kiln.Core.Tracking;
using Spectre.Console;

namespace Kiln.Cli.Commands;

/// <summary><c>kiln experiments list</c> and <c>kiln runs list|show|compare|best</c>.</summary>
internal static class TrackingCommands
{
    public static Command CreateExperiments()
    {
        var command = new Command("experiments", "List experiments");
        var list = new Command("list", "List experiments");
        list.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            using var client = CommonOptions.CreateClient(parse);
            var experiments = await client.ListExperimentsAsync(cancellationToken);
            if (parse.GetValue(CommonOptions.Output) == OutputFormat.Json)
            {
                CommandOutput.Json(experiments, KilnJsonContext.Default.IReadOnlyListExperiment);
                return;
            }

            var table = new Table().AddColumns("Id", "Name", "Created", "Updated");
            foreach (var experiment in experiments)
            {
                table.AddRow(experiment.Id, Markup.Escape(experiment.Name), Time(experiment.CreatedAt), Time(experiment.UpdatedAt));
            }

            CommandOutput.Table(table);
        }));
        command.Subcommands.Add(list);
        return command;
    }

    public static Command CreateRuns()
    {
        var command = new Command("runs", "List, show, compare runs and find the best");
        command.Subcommands.Add(List());
        command.Subcommands.Add(Show());
        command.Subcommands.Add(Compare());
        command.Subcommands.Add(Best());
        return command;
    }

    private static Command List()
    {
        var experiment = new Option<string?>("--experiment", "-e") { Description = "Experiment name (default: all)" };
        var filter = new Option<string?>("--filter") { Description = "MLflow filter, e.g. \"metrics.auc > 0.8 and params.algorithm = 'lightgbm'\"" };
        var orderBy = new Option<string[]>("--order-by") { Description = "e.g. \"metrics.auc DESC\" (repeatable)", AllowMultipleArgumentsPerToken = false };
        var max = new Option<int>("--max") { Description = "Most runs to show", DefaultValueFactory = _ => 50 };
        var command = new Command("list", "List runs, filtered and ordered") { experiment, filter, orderBy, max };
        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            using var client = CommonOptions.CreateClient(parse);
            IReadOnlyList<string>? ids = parse.GetValue(experiment) is { } name ? [(await client.GetExperimentByNameAsync(name, cancellationToken)).Id] : null;
            var page = await client.SearchRunsAsync(new RunQuery(ids, parse.GetValue(filter), parse.GetValue(orderBy), parse.GetValue(max)), cancellationToken);
            if (parse.GetValue(CommonOptions.Output) == OutputFormat.Json)
            {
                CommandOutput.Json(page.Runs, KilnJsonContext.Default.IReadOnlyListRun);
                return;
            }

            var metrics = MetricColumns.Pick(page.Runs.SelectMany(r => r.Metrics.Keys), 4);
            var table = new Table().AddColumns("Run", "Name", "Status", "Started");
            foreach (var metric in metrics)
            {
                table.AddColumn(new TableColumn(Markup.Escape(metric)).RightAligned());
            }

            foreach (var run in page.Runs)
            {
                table.AddRow([run.Id[..8], Markup.Escape(run.Name), run.Status.ToString().ToUpperInvariant(), run.StartTime.ToString("MM-dd HH:mm", CultureInfo.InvariantCulture),
                    .. metrics.Select(m => run.Metrics.TryGetValue(m, out var v) ? Number(v) : "")]);
            }

            CommandOutput.Table(table);
        }));
        return command;
    }

    private static Command Show()
    {
        var id = new Argument<string>("run") { Description = "Run id" };
        var command = new Command("show", "Show a run: params, metrics, tags, inputs, artifacts") { id };
        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            using var client = CommonOptions.CreateClient(parse);
            var run = await client.GetRunAsync(parse.GetValue(id)!, cancellationToken);
            if (parse.GetValue(CommonOptions.Output) == OutputFormat.Json)
            {
                CommandOutput.Json(run, KilnJsonContext.Default.Run);
                return;
            }

            var artifacts = await client.ListArtifactsAsync(run.Id, cancellationToken);
            var grid = new Grid().AddColumn().AddColumn();
            grid.AddRow("[bold]Run[/]", $"{run.Id} ({Markup.Escape(run.Name)})");
            grid.AddRow("[bold]Status[/]", run.Status.ToString().ToUpperInvariant());
            grid.AddRow("[bold]Started[/]", Time(run.StartTime) + (run.EndTime is { } end ? $", ended {Time(end)}" : ""));
            AnsiConsole.Write(grid);
            var table = new Table().AddColumns("Kind", "Key", "Value");
            foreach (var (key, value) in run.Params)
            {
                table.AddRow("param", Markup.Escape(key), Markup.Escape(value));
            }

            foreach (var (key, value) in run.Metrics)
            {
                table.AddRow("metric", Markup.Escape(key), Number(value));
            }

            foreach (var (key, value) in run.Tags)
            {
                table.AddRow("tag", Markup.Escape(key), Markup.Escape(value));
            }

            foreach (var input in run.Inputs)
            {
                table.AddRow("input", Markup.Escape(input.Name), Markup.Escape($"{input.Digest} {input.Source}"));
            }

            foreach (var artifact in artifacts)
            {
                table.AddRow("artifact", Markup.Escape(artifact.Path), artifact.Size.ToString(CultureInfo.InvariantCulture) + " bytes");
            }

            CommandOutput.Table(table);
        }));
        return command;
    }

    private static Command Compare()
    {
        var ids = new Argument<string[]>("runs") { Description = "Two or more run ids", Arity = new ArgumentArity(2, 20) };
        var command = new Command("compare", "Compare runs side by side: every param and metric") { ids };
        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            using var client = CommonOptions.CreateClient(parse);
            var runs = new List<Run>();
            foreach (var runId in parse.GetValue(ids)!)
            {
                runs.Add(await client.GetRunAsync(runId, cancellationToken));
            }

            if (parse.GetValue(CommonOptions.Output) == OutputFormat.Json)
            {
                CommandOutput.Json(runs, KilnJsonContext.Default.IReadOnlyListRun);
                return;
            }

            var table = new Table().AddColumn("");
            foreach (var run in runs)
            {
                table.AddColumn(new TableColumn($"{run.Id[..8]}\n{Markup.Escape(run.Name)}").RightAligned());
            }

            foreach (var key in runs.SelectMany(r => r.Params.Keys).Distinct().Order(StringComparer.Ordinal))
            {
                table.AddRow([$"param {Markup.Escape(key)}", .. runs.Select(r => Markup.Escape(r.Params.GetValueOrDefault(key) ?? "-"))]);
            }

            foreach (var key in runs.SelectMany(r => r.Metrics.Keys).Distinct().Order(StringComparer.Ordinal))
            {
                var values = runs.Select(r => r.Metrics.TryGetValue(key, out var v) ? v : (double?)null).ToArray();
                var best = values.Where(v => v.HasValue).DefaultIfEmpty().Max();
                table.AddRow([$"metric {Markup.Escape(key)}", .. values.Select(v => v is { } x ? (x == best ? $"[green]{Number(x)}[/]" : Number(x)) : "-")]);
            }

            CommandOutput.Table(table);
        }));
        return command;
    }

    private static Command Best()
    {
        var experiment = new Option<string>("--experiment", "-e") { Description = "Experiment name", Required = true };
        var metric = new Option<string>("--metric", "-m") { Description = "Metric to rank by", DefaultValueFactory = _ => "auc" };
        var lower = new Option<bool>("--lower-is-better") { Description = "Rank ascending (e.g. rmse, log_loss)" };
        var command = new Command("best", "The best run of an experiment by a metric") { experiment, metric, lower };
        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            using var client = CommonOptions.CreateClient(parse);
            var best = await client.BestRunAsync(parse.GetValue(experiment)!, parse.GetValue(metric)!, parse.GetValue(lower), cancellationToken)
                ?? throw new ArgumentException($"No run of '{parse.GetValue(experiment)}' has the metric '{parse.GetValue(metric)}'.");
            if (parse.GetValue(CommonOptions.Output) == OutputFormat.Json)
            {
                CommandOutput.Json(best, KilnJsonContext.Default.Run);
                return;
            }

            CommandOutput.Info($"[green]Best[/] by {Markup.Escape(parse.GetValue(metric)!)}: {best.Id} ({Markup.Escape(best.Name)}) = {Number(best.Metrics[parse.GetValue(metric)!])}");
            Console.Out.WriteLine(best.Id);
        }));
        return command;
    }

    internal static string Time(DateTimeOffset time) => time.ToString("u", CultureInfo.InvariantCulture);

    internal static string Number(double value) => value.ToString("0.#####", CultureInfo.InvariantCulture);
}
