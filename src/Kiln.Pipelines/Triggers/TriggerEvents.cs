using System.Text.Json.Nodes;
using Kiln.Core.Pipelines;
using Kiln.Pipelines.Definitions;
using Kiln.Pipelines.Execution;

namespace Kiln.Pipelines.Triggers;

/// <summary>Something that happened that pipelines may react to.</summary>
public abstract record TriggerEvent;

/// <summary>An alert rule started firing on a deployment.</summary>
public sealed record AlertFired(string RuleId, string RuleName, string Deployment, string Severity, string Summary, DateTimeOffset FiredAt) : TriggerEvent;

/// <summary>A model got a new version, or one of its aliases moved; <see cref="Pipeline"/> is set when a pipeline run did it.</summary>
public sealed record ModelChanged(string Model, int Version, string? Alias, string? Pipeline, DateTimeOffset At) : TriggerEvent;

/// <summary>A pipeline run ended.</summary>
public sealed record PipelineFinished(PipelineRunRecord Run) : TriggerEvent;

/// <summary>Which triggers of which pipelines an event starts, and the run trigger each one gets.</summary>
public static class TriggerMatcher
{
    public static IEnumerable<RunTrigger> Match(PipelineDefinition pipeline, TriggerEvent happened) => pipeline.Triggers
        .Select(trigger => Match(pipeline, trigger, happened))
        .Where(t => t is not null)
        .Select(t => t!)
        .Take(1); // several matching triggers of one pipeline start one run

    private static RunTrigger? Match(PipelineDefinition pipeline, PipelineTrigger trigger, TriggerEvent happened) => (trigger, happened) switch
    {
        (AlertTrigger t, AlertFired e) when (t.Rule == "*" || t.Rule == e.RuleName || t.Rule == e.RuleId)
                                            && (t.Deployment is null || t.Deployment == e.Deployment)
                                            && (t.Severity is null || t.Severity == e.Severity) =>
            new RunTrigger("alert", $"alert {e.Summary}",
                $"alert:{e.RuleId}:{e.Deployment}:{e.FiredAt.ToUnixTimeMilliseconds()}",
                new JsonObject { ["rule"] = e.RuleName, ["deployment"] = e.Deployment, ["severity"] = e.Severity }, t.Parameters),
        // A pipeline never reacts to a model change it made itself: that would loop.
        (ModelTrigger t, ModelChanged e) when t.Model == e.Model && e.Pipeline != pipeline.Name
                                              && (t.Alias is null ? e.Alias is null : t.Alias == e.Alias) =>
            new RunTrigger("model", e.Alias is null ? $"{e.Model} version {e.Version} registered" : $"{e.Model}@{e.Alias} moved to version {e.Version}",
                e.Alias is null ? $"model:{e.Model}:{e.Version}" : $"alias:{e.Model}:{e.Alias}:{e.Version}:{e.At.ToUnixTimeMilliseconds()}",
                new JsonObject { ["model"] = e.Model, ["version"] = e.Version, ["alias"] = e.Alias }, t.Parameters),
        (PipelineCompletionTrigger t, PipelineFinished e) when t.Pipeline == e.Run.Pipeline && e.Run.Pipeline != pipeline.Name
                                                              && (t.Status == "finished" || t.Status == StatusName(e.Run.Status)) =>
            new RunTrigger("pipeline", $"pipeline {e.Run.Pipeline} run {e.Run.Id[..8]} {StatusName(e.Run.Status)}", $"pipeline:{e.Run.Pipeline}:{e.Run.Id}:{e.Run.Attempt}",
                new JsonObject { ["pipeline"] = e.Run.Pipeline, ["run_id"] = e.Run.Id, ["status"] = StatusName(e.Run.Status) }, t.Parameters),
        _ => null,
    };

    private static string StatusName(PipelineRunStatus status) => status.ToString().ToLowerInvariant();
}
