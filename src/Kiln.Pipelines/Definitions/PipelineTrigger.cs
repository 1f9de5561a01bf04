using System.Text.Json.Nodes;
using Cronos;

namespace Kiln.Pipelines.Definitions;

/// <summary>What starts a run besides a manual or API call, with parameter values for the runs it starts.</summary>
public abstract record PipelineTrigger(IReadOnlyDictionary<string, JsonNode?> Parameters, SourcePosition Position)
{
    /// <summary>The trigger's kind as written: cron, alert, model or pipeline.</summary>
    public abstract string Kind { get; }

    /// <summary>A one-line description for listings and run records.</summary>
    public abstract string Describe();
}

/// <summary>A cron schedule in a time zone (UTC unless given); daylight-saving gaps and repeats fire once.</summary>
public sealed record CronTrigger(string Expression, CronExpression Cron, TimeZoneInfo TimeZone, IReadOnlyDictionary<string, JsonNode?> Parameters, SourcePosition Position)
    : PipelineTrigger(Parameters, Position)
{
    public override string Kind => "cron";

    /// <summary>The first fire time strictly after <paramref name="after"/>, or null when there is none.</summary>
    public DateTimeOffset? NextAfter(DateTimeOffset after) =>
        Cron.GetNextOccurrence(after.UtcDateTime, TimeZone, inclusive: false) is { } next ? new DateTimeOffset(next, TimeSpan.Zero) : null;

    public override string Describe() => TimeZone == TimeZoneInfo.Utc ? $"cron '{Expression}' (UTC)" : $"cron '{Expression}' ({TimeZone.Id})";
}

/// <summary>An alert rule starting to fire; <see cref="Rule"/> is a rule's name or id, or <c>*</c> for any.</summary>
public sealed record AlertTrigger(string Rule, string? Deployment, string? Severity, IReadOnlyDictionary<string, JsonNode?> Parameters, SourcePosition Position)
    : PipelineTrigger(Parameters, Position)
{
    public override string Kind => "alert";

    public override string Describe() => $"alert '{Rule}' firing" + (Deployment is null ? "" : $" on {Deployment}") + (Severity is null ? "" : $" ({Severity})");
}

/// <summary>A new version of a model, or (with <see cref="Alias"/>) an alias of it moving.</summary>
public sealed record ModelTrigger(string Model, string? Alias, IReadOnlyDictionary<string, JsonNode?> Parameters, SourcePosition Position)
    : PipelineTrigger(Parameters, Position)
{
    public override string Kind => "model";

    public override string Describe() => Alias is null ? $"new version of {Model}" : $"{Model}@{Alias} moved";
}

/// <summary>Another pipeline's run ending with <see cref="Status"/>: succeeded, failed or finished (either).</summary>
public sealed record PipelineCompletionTrigger(string Pipeline, string Status, IReadOnlyDictionary<string, JsonNode?> Parameters, SourcePosition Position)
    : PipelineTrigger(Parameters, Position)
{
    public override string Kind => "pipeline";

    public override string Describe() => $"pipeline {Pipeline} {Status}";
}
