using System.CommandLine;
using Kiln.Cli.Output;
using Kiln.Client;
using Kiln.Core.Api;
using Kiln.Core.Pipelines;
using Kiln.Core.Serialization;
using Spectre.Console;

namespace Kiln.Cli.Commands;

/// <summary><c>kiln pipelines apply|list|show|run|runs|logs|retry|cancel|approve|reject|delete</c>: the model factory.</summary>
internal static class PipelinesCommand
{
    private static readonly TimeSpan FollowInterval = TimeSpan.FromSeconds(1);

    public static Command Create()
    {
        var command = new Command("pipelines", "Pipelines: apply a pipeline file, start and follow runs, approve steps");
        command.Subcommands.Add(CreateApply());
        command.Subcommands.Add(CreateList());
        command.Subcommands.Add(CreateShow());
        command.Subcommands.Add(CreateRun());
        command.Subcommands.Add(CreateRuns());
        command.Subcommands.Add(CreateLogs());
        command.Subcommands.Add(CreateRunAction("retry", "Run a failed or cancelled run again from its failed steps", (c, id, ct) => c.RetryPipelineRunAsync(id, ct)));
        command.Subcommands.Add(CreateRunAction("cancel", "Stop a run: its running step is stopped, the rest cancelled", (c, id, ct) => c.CancelPipelineRunAsync(id, ct)));
        command.Subcommands.Add(CreateDecision("approve", "Approve a waiting approval step", (c, id, step, comment, ct) => c.ApprovePipelineStepAsync(id, step, comment, ct)));
        command.Subcommands.Add(CreateDecision("reject", "Reject a waiting approval step (the run fails)", (c, id, step, comment, ct) => c.RejectPipelineStepAsync(id, step, comment, ct)));
        command.Subcommands.Add(CreateDelete());
        return command;
    }

    private static Command CreateApply()
    {
        var file = new Argument<string>("file") { Description = "The pipeline file (YAML)" };
        var apply = new Command("apply", "Check a pipeline file and store it as the pipeline's next version (every problem is listed with its line)") { file };
        apply.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            var path = parse.GetValue(file)!;
            if (!File.Exists(path))
            {
                throw new ArgumentException($"There is no file '{path}'.");
            }

            using var client = CommonOptions.CreateClient(parse);
            var result = await client.ApplyPipelineAsync(await File.ReadAllTextAsync(path, cancellationToken), cancellationToken);
            if (parse.GetValue(CommonOptions.Output) == OutputFormat.Json)
            {
                CommandOutput.Json(result, KilnJsonContext.Default.PipelineApplyResult);
                return;
            }

            var p = result.Pipeline;
            CommandOutput.Info(result.Created
                ? $"[green]Applied[/] {Markup.Escape(p.Name)} version {p.Version}: {Markup.Escape(string.Join(" → ", p.Steps.Select(s => s.Name)))}"
                : $"{Markup.Escape(p.Name)} is unchanged (version {p.Version}).");
            foreach (var trigger in p.Triggers)
            {
                CommandOutput.Info($"  trigger: {Markup.Escape(trigger.Description)}" + (trigger.NextFireAt is { } next ? $", next at {PipelineText.Time(next)}" : ""));
            }
        }));
        return apply;
    }

    private static Command CreateList()
    {
        var list = new Command("list", "Pipelines with their steps, triggers and last run");
        list.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            using var client = CommonOptions.CreateClient(parse);
            var pipelines = await client.ListPipelinesAsync(cancellationToken);
            if (parse.GetValue(CommonOptions.Output) == OutputFormat.Json)
            {
                CommandOutput.Json(pipelines, KilnJsonContext.Default.IReadOnlyListPipelineSummary);
            }
            else if (pipelines.Count == 0)
            {
                CommandOutput.Info("No pipelines yet: write one (see examples/pipelines/) and `kiln pipelines apply FILE`.");
            }
            else
            {
                CommandOutput.Table(PipelineText.Pipelines(pipelines));
            }
        }));
        return list;
    }

    private static Command CreateShow()
    {
        var target = new Argument<string>("pipeline-or-run") { Description = "A pipeline's name, or a run's id (its first 8 characters will do)" };
        var show = new Command("show", "A pipeline (its file and versions), or a run with every step") { target };
        show.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            using var client = CommonOptions.CreateClient(parse);
            var name = parse.GetValue(target)!;
            var json = parse.GetValue(CommonOptions.Output) == OutputFormat.Json;
            if (LooksLikeRunId(name) && await TryGetRunAsync(client, name, cancellationToken) is { } run)
            {
                if (json)
                {
                    CommandOutput.Json(run, KilnJsonContext.Default.PipelineRunDetail);
                    return;
                }

                CommandOutput.Table(PipelineText.Steps(run));
                if (run.Run.Error is { } error)
                {
                    CommandOutput.Info($"[red]{Markup.Escape(error)}[/]");
                }

                return;
            }

            var pipeline = await client.GetPipelineAsync(name, cancellationToken);
            if (json)
            {
                CommandOutput.Json(pipeline, KilnJsonContext.Default.PipelineDetail);
                return;
            }

            CommandOutput.Table(PipelineText.Pipelines([pipeline.Pipeline]));
            CommandOutput.Info(string.Join("\n", pipeline.Versions.Select(v => $"  version {v.Version} applied {PipelineText.Time(v.CreatedAt)}" + (v.CreatedBy is null ? "" : $" by {Markup.Escape(v.CreatedBy)}"))));
            Console.WriteLine(pipeline.Source);
        }));
        return show;
    }

    private static Command CreateRun()
    {
        var name = new Argument<string>("pipeline");
        var parameters = new Option<string[]>("--param", "-p") { Description = "A parameter: NAME=VALUE (repeat for more)", AllowMultipleArgumentsPerToken = false };
        var version = new Option<int?>("--version") { Description = "Run this version of the pipeline (default: the latest)" };
        var wait = new Option<bool>("--wait", "-w") { Description = "Follow the run's log until it ends; exit 1 if it fails" };
        var run = new Command("run", "Start a run of a pipeline") { name, parameters, version, wait };
        run.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            var values = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var pair in parse.GetValue(parameters) ?? [])
            {
                var equals = pair.IndexOf('=', StringComparison.Ordinal);
                if (equals <= 0)
                {
                    throw new ArgumentException($"--param takes NAME=VALUE, not '{pair}'.");
                }

                values[pair[..equals]] = pair[(equals + 1)..];
            }

            using var client = CommonOptions.CreateClient(parse);
            var started = await client.StartPipelineRunAsync(parse.GetValue(name)!, values, parse.GetValue(version), cancellationToken);
            if (!parse.GetValue(wait))
            {
                if (parse.GetValue(CommonOptions.Output) == OutputFormat.Json)
                {
                    CommandOutput.Json(started, KilnJsonContext.Default.PipelineRunSummary);
                }
                else
                {
                    CommandOutput.Info($"Started run {started.Id[..8]} of {Markup.Escape(started.Pipeline)} v{started.Version}; follow it with `kiln pipelines logs {started.Id[..8]} --follow`.");
                }

                return;
            }

            CommandOutput.Info($"Run {started.Id[..8]} of {Markup.Escape(started.Pipeline)} v{started.Version}:");
            var finished = await FollowAsync(client, started.Id, null, cancellationToken);
            CommandOutput.Table(PipelineText.Steps(finished));
            if (finished.Run.Status != PipelineRunStatus.Succeeded)
            {
                throw new PipelineRunFailedException(finished.Run.Error ?? finished.Run.Status.ToString().ToLowerInvariant());
            }
        }));
        return run;
    }

    private static Command CreateRuns()
    {
        var name = new Argument<string?>("pipeline") { Description = "Only this pipeline's runs", Arity = ArgumentArity.ZeroOrOne };
        var limit = new Option<int>("--limit", "-n") { Description = "How many runs (newest first)", DefaultValueFactory = _ => 20 };
        var runs = new Command("runs", "Runs, newest first, with what started them") { name, limit };
        runs.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            using var client = CommonOptions.CreateClient(parse);
            var list = await client.ListPipelineRunsAsync(parse.GetValue(name), parse.GetValue(limit), cancellationToken);
            if (parse.GetValue(CommonOptions.Output) == OutputFormat.Json)
            {
                CommandOutput.Json(list, KilnJsonContext.Default.IReadOnlyListPipelineRunSummary);
            }
            else
            {
                CommandOutput.Table(PipelineText.Runs(list));
            }
        }));
        return runs;
    }

    private static Command CreateLogs()
    {
        var id = new Argument<string>("run") { Description = "The run's id (its first 8 characters will do)" };
        var step = new Option<string?>("--step", "-s") { Description = "Only this step's lines" };
        var follow = new Option<bool>("--follow", "-f") { Description = "Keep printing new lines until the run ends" };
        var logs = new Command("logs", "A run's log, step by step") { id, step, follow };
        logs.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            using var client = CommonOptions.CreateClient(parse);
            if (parse.GetValue(follow))
            {
                await FollowAsync(client, parse.GetValue(id)!, parse.GetValue(step), cancellationToken);
                return;
            }

            long after = 0;
            while (true)
            {
                var page = await client.GetPipelineLogAsync(parse.GetValue(id)!, parse.GetValue(step), after, 1000, cancellationToken);
                Print(page);
                if (page.Lines.Count < 1000)
                {
                    return;
                }

                after = page.Next;
            }
        }));
        return logs;
    }

    private static Command CreateRunAction(string name, string description, Func<KilnClient, string, CancellationToken, Task<PipelineRunSummary>> action)
    {
        var id = new Argument<string>("run") { Description = "The run's id (its first 8 characters will do)" };
        var command = new Command(name, description) { id };
        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            using var client = CommonOptions.CreateClient(parse);
            var run = await action(client, parse.GetValue(id)!, cancellationToken);
            CommandOutput.Info($"Run {run.Id[..8]} of {Markup.Escape(run.Pipeline)}: {PipelineText.Status(run.Status)}" + (run.Status == PipelineRunStatus.Queued ? $" (attempt {run.Attempt})" : " (stopping)"));
        }));
        return command;
    }

    private static Command CreateDecision(string name, string description, Func<KilnClient, string, string, string?, CancellationToken, Task<PipelineRunDetail>> decide)
    {
        var id = new Argument<string>("run") { Description = "The run's id (its first 8 characters will do)" };
        var step = new Argument<string>("step") { Description = "The approval step" };
        var comment = new Option<string?>("--comment", "-m") { Description = "Why, for the record" };
        var command = new Command(name, description) { id, step, comment };
        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            using var client = CommonOptions.CreateClient(parse);
            var run = await decide(client, parse.GetValue(id)!, parse.GetValue(step)!, parse.GetValue(comment), cancellationToken);
            CommandOutput.Info($"{(name == "approve" ? "[green]Approved[/]" : "[red]Rejected[/]")} step {Markup.Escape(parse.GetValue(step)!)} of run {run.Run.Id[..8]}.");
        }));
        return command;
    }

    private static Command CreateDelete()
    {
        var name = new Argument<string>("pipeline");
        var delete = new Command("delete", "Delete a pipeline with its versions, runs and logs") { name };
        delete.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            using var client = CommonOptions.CreateClient(parse);
            await client.DeletePipelineAsync(parse.GetValue(name)!, cancellationToken);
            CommandOutput.Info($"Deleted pipeline {Markup.Escape(parse.GetValue(name)!)}.");
        }));
        return delete;
    }

    /// <summary>Prints new log lines and step changes until the run ends; returns it as it ended.</summary>
    private static async Task<PipelineRunDetail> FollowAsync(KilnClient client, string id, string? step, CancellationToken cancellationToken)
    {
        long after = 0;
        while (true)
        {
            var run = await client.GetPipelineRunAsync(id, cancellationToken);
            PipelineLogPage page;
            do
            {
                page = await client.GetPipelineLogAsync(run.Run.Id, step, after, 1000, cancellationToken);
                Print(page);
                after = page.Next;
            }
            while (page.Lines.Count == 1000);

            if (run.Run.Status is PipelineRunStatus.Succeeded or PipelineRunStatus.Failed or PipelineRunStatus.Cancelled)
            {
                return run;
            }

            await Task.Delay(FollowInterval, cancellationToken);
        }
    }

    private static void Print(PipelineLogPage page)
    {
        foreach (var line in page.Lines)
        {
            Console.WriteLine($"{line.Time.ToLocalTime():HH:mm:ss} {line.Step,-12} {line.Text}");
        }
    }

    private static bool LooksLikeRunId(string text) => text.Length is >= 6 and <= 32 && text.All(char.IsAsciiHexDigitLower);

    private static async Task<PipelineRunDetail?> TryGetRunAsync(KilnClient client, string id, CancellationToken cancellationToken)
    {
        try
        {
            return await client.GetPipelineRunAsync(id, cancellationToken);
        }
        catch (KilnApiException e) when (e.Status == System.Net.HttpStatusCode.NotFound)
        {
            return null;
        }
    }
}

/// <summary>A run followed with --wait that did not succeed: the CLI exits with a failure.</summary>
internal sealed class PipelineRunFailedException(string message) : Exception(message);
