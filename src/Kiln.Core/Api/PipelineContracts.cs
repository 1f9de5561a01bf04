using System.Text.Json.Nodes;
using Kiln.Core.Pipelines;

namespace Kiln.Core.Api;

/// <summary>A pipeline as listed: its latest version, what starts it, its steps, and its newest run.</summary>
/// <param name="Name">The pipeline's name.</param>
/// <param name="Version">The latest version.</param>
/// <param name="Description">The file's description.</param>
/// <param name="UpdatedAt">When the latest version was applied.</param>
/// <param name="Triggers">What starts it besides a manual or API call.</param>
/// <param name="Steps">Its steps, in file order.</param>
/// <param name="LastRun">Its newest run, if any.</param>
public sealed record PipelineSummary(string Name, int Version, string? Description, DateTimeOffset UpdatedAt,
    IReadOnlyList<PipelineTriggerInfo> Triggers, IReadOnlyList<PipelineStepInfo> Steps, PipelineRunSummary? LastRun);

/// <summary>A trigger of a pipeline file.</summary>
/// <param name="Kind">cron, alert, model or pipeline.</param>
/// <param name="Description">In words, e.g. "cron '0 3 * * *' (Europe/Berlin)".</param>
/// <param name="NextFireAt">For a cron trigger: when it fires next.</param>
public sealed record PipelineTriggerInfo(string Kind, string Description, DateTimeOffset? NextFireAt);

/// <summary>A step of a pipeline file.</summary>
/// <param name="Name">The step's name.</param>
/// <param name="Kind">Its kind.</param>
/// <param name="Needs">The steps it waits for.</param>
/// <param name="Condition">Its <c>if:</c>, as written.</param>
public sealed record PipelineStepInfo(string Name, string Kind, IReadOnlyList<string> Needs, string? Condition);

/// <summary>A pipeline with the text of its latest version and its version history.</summary>
/// <param name="Pipeline">The summary.</param>
/// <param name="Source">The latest version's file.</param>
/// <param name="Versions">Every version, newest first.</param>
public sealed record PipelineDetail(PipelineSummary Pipeline, string Source, IReadOnlyList<PipelineVersionInfo> Versions);

/// <summary>A stored version of a pipeline file.</summary>
/// <param name="Version">Its number.</param>
/// <param name="Digest">The SHA-256 of its text.</param>
/// <param name="CreatedAt">When it was applied.</param>
/// <param name="CreatedBy">Who applied it.</param>
public sealed record PipelineVersionInfo(int Version, string Digest, DateTimeOffset CreatedAt, string? CreatedBy);

/// <summary>The answer to applying a pipeline file.</summary>
/// <param name="Pipeline">The pipeline as it is now.</param>
/// <param name="Created">False when the file was the same as the latest version, so nothing changed.</param>
public sealed record PipelineApplyResult(PipelineSummary Pipeline, bool Created);

/// <summary>One problem of a pipeline file that was refused.</summary>
/// <param name="Line">1-based line.</param>
/// <param name="Column">1-based column.</param>
/// <param name="Path">The field, dotted (e.g. <c>steps.train.with.trials</c>).</param>
/// <param name="Message">What is wrong.</param>
public sealed record PipelineFileProblem(int Line, int Column, string Path, string Message);

/// <summary>Starts a run.</summary>
/// <param name="Parameters">Parameter values; text is converted to each parameter's type.</param>
/// <param name="Version">The version to run; the latest when absent.</param>
public sealed record StartPipelineRunRequest(Dictionary<string, JsonNode?>? Parameters = null, int? Version = null);

/// <summary>A run as listed.</summary>
/// <param name="Id">The run's id.</param>
/// <param name="Pipeline">The pipeline.</param>
/// <param name="Version">The pipeline version it runs.</param>
/// <param name="Status">Where it stands.</param>
/// <param name="TriggerKind">What started it: cron, alert, model, pipeline, manual or api.</param>
/// <param name="TriggerReason">Why, in words.</param>
/// <param name="CreatedAt">When it was created.</param>
/// <param name="StartedAt">When it started.</param>
/// <param name="FinishedAt">When it ended.</param>
/// <param name="Error">Why it failed.</param>
/// <param name="Attempt">1, plus one per retry of the run.</param>
/// <param name="StartedBy">Who started it by hand or through the API.</param>
public sealed record PipelineRunSummary(string Id, string Pipeline, int Version, PipelineRunStatus Status, string TriggerKind, string TriggerReason,
    DateTimeOffset CreatedAt, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt, string? Error, int Attempt, string? StartedBy);

/// <summary>A run with its parameters, trigger values and steps.</summary>
/// <param name="Run">The summary.</param>
/// <param name="Parameters">The parameter values it runs with.</param>
/// <param name="Trigger">The trigger's values (<c>trigger.*</c> in expressions).</param>
/// <param name="Steps">Its steps, in file order.</param>
public sealed record PipelineRunDetail(PipelineRunSummary Run, JsonObject Parameters, JsonObject Trigger, IReadOnlyList<PipelineStepView> Steps);

/// <summary>One step of a run.</summary>
/// <param name="Name">The step's name.</param>
/// <param name="Kind">Its kind.</param>
/// <param name="Status">Where it stands.</param>
/// <param name="Needs">The steps it waits for.</param>
/// <param name="Attempt">Attempts started.</param>
/// <param name="StartedAt">When its first attempt started.</param>
/// <param name="FinishedAt">When it ended.</param>
/// <param name="NextAttemptAt">When retrying: when the next attempt starts.</param>
/// <param name="Inputs">The inputs it ran with.</param>
/// <param name="Outputs">Its outputs.</param>
/// <param name="Error">Why it failed or was skipped.</param>
/// <param name="CachedFrom">When served from the cache: the run whose outputs it reused.</param>
/// <param name="Decision">For an approval: the decision.</param>
public sealed record PipelineStepView(string Name, string Kind, PipelineStepStatus Status, IReadOnlyList<string> Needs, int Attempt,
    DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt, DateTimeOffset? NextAttemptAt, JsonObject? Inputs, JsonObject? Outputs,
    string? Error, string? CachedFrom, JsonObject? Decision);

/// <summary>A page of a run's log.</summary>
/// <param name="Lines">The lines, oldest first.</param>
/// <param name="Next">Ask for lines after this sequence number to continue.</param>
public sealed record PipelineLogPage(IReadOnlyList<PipelineLogEntry> Lines, long Next);

/// <summary>One line of a run's log.</summary>
/// <param name="Sequence">Its position.</param>
/// <param name="Step">The step that wrote it.</param>
/// <param name="Attempt">The attempt.</param>
/// <param name="Time">When.</param>
/// <param name="Text">The line.</param>
public sealed record PipelineLogEntry(long Sequence, string Step, int Attempt, DateTimeOffset Time, string Text);

/// <summary>Approves or rejects a waiting approval step.</summary>
/// <param name="Comment">Why, for the record.</param>
public sealed record PipelineDecisionRequest(string? Comment = null);
