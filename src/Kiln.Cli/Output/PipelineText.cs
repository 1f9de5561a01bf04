using System.Globalization;
using System.Text.Json.Nodes;
using Kiln.Core.Api;
using Kiln.Core.Pipelines;
using Spectre.Console;

namespace Kiln.Cli.Output;

/// <summary>Pipelines, runs and steps as tables and status words on the terminal.</summary>
internal static class PipelineText
{
    public static Table Pipelines(IReadOnlyList<PipelineSummary> pipelines)
    {
        var table = new Table().AddColumns("Pipeline", "Version", "Steps", "Triggers", "Next cron", "Last run");
        foreach (var p in pipelines)
        {
            table.AddRow(
                Markup.Escape(p.Name),
                p.Version.ToString(CultureInfo.InvariantCulture),
                Markup.Escape(string.Join(" → ", p.Steps.Select(s => s.Name))),
                Markup.Escape(p.Triggers.Count == 0 ? "manual" : string.Join("; ", p.Triggers.Select(t => t.Description))),
                p.Triggers.Select(t => t.NextFireAt).Where(t => t is not null).Min() is { } next ? Time(next) : "-",
                p.LastRun is { } run ? $"{Status(run.Status)} {Time(run.CreatedAt)} ({Markup.Escape(run.TriggerKind)})" : "-");
        }

        return table;
    }

    public static Table Runs(IReadOnlyList<PipelineRunSummary> runs)
    {
        var table = new Table().AddColumns("Run", "Pipeline", "Status", "Started", "Took", "Trigger", "Error");
        foreach (var run in runs)
        {
            table.AddRow(run.Id[..8], Markup.Escape($"{run.Pipeline} v{run.Version}"), Status(run.Status), Time(run.CreatedAt),
                Took(run.StartedAt, run.FinishedAt), Markup.Escape(run.TriggerReason), Markup.Escape(Short(run.Error, 60)));
        }

        return table;
    }

    public static Table Steps(PipelineRunDetail detail)
    {
        var table = new Table().Title($"Run {detail.Run.Id[..8]} of {Markup.Escape(detail.Run.Pipeline)} v{detail.Run.Version}: {Status(detail.Run.Status)} — {Markup.Escape(detail.Run.TriggerReason)}")
            .AddColumns("Step", "Kind", "Needs", "Status", "Attempts", "Took", "Outputs / why");
        foreach (var step in detail.Steps)
        {
            table.AddRow(
                Markup.Escape(step.Name),
                Markup.Escape(step.Kind),
                Markup.Escape(step.Needs.Count == 0 ? "-" : string.Join(", ", step.Needs)),
                StepStatus(step.Status),
                step.Attempt.ToString(CultureInfo.InvariantCulture),
                Took(step.StartedAt, step.FinishedAt),
                Markup.Escape(Short(step.Error ?? (step.CachedFrom is { } from ? $"cached from run {from[..8]}" : Outputs(step.Outputs)), 80)));
        }

        return table;
    }

    public static string Status(PipelineRunStatus status) => status switch
    {
        PipelineRunStatus.Succeeded => "[green]succeeded[/]",
        PipelineRunStatus.Failed => "[red]failed[/]",
        PipelineRunStatus.Cancelled => "[grey]cancelled[/]",
        PipelineRunStatus.Waiting => "[yellow]waiting[/]",
        PipelineRunStatus.Running => "[blue]running[/]",
        _ => "queued",
    };

    public static string StepStatus(PipelineStepStatus status) => status switch
    {
        PipelineStepStatus.Succeeded => "[green]succeeded[/]",
        PipelineStepStatus.Cached => "[green]cached[/]",
        PipelineStepStatus.Failed => "[red]failed[/]",
        PipelineStepStatus.Skipped => "[grey]skipped[/]",
        PipelineStepStatus.Cancelled => "[grey]cancelled[/]",
        PipelineStepStatus.Waiting => "[yellow]waiting[/]",
        PipelineStepStatus.Retrying => "[yellow]retrying[/]",
        PipelineStepStatus.Running => "[blue]running[/]",
        _ => "pending",
    };

    /// <summary>Outputs in one line, artifacts by their short digest.</summary>
    public static string Outputs(JsonObject? outputs) => outputs is null ? "" : string.Join(", ", outputs
        .Where(o => o.Value is not null)
        .Select(o => $"{o.Key}={(o.Value is JsonObject artifact && artifact["digest"] is { } digest ? digest.GetValue<string>()[..12] : o.Value!.ToJsonString().Trim('"'))}"));

    public static string Time(DateTimeOffset time) => time.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    private static string Took(DateTimeOffset? start, DateTimeOffset? end) => start is { } s && end is { } e
        ? Kiln.Core.DurationText.Format(TimeSpan.FromSeconds(Math.Round((e - s).TotalSeconds)))
        : "-";

    private static string Short(string? text, int length) => text is null ? "" : text.Length <= length ? text : text[..(length - 1)] + "…";
}
