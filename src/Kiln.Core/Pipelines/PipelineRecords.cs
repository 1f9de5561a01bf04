using System.Text.Json.Serialization;

namespace Kiln.Core.Pipelines;

/// <summary>A stored version of a pipeline file: the text as applied, and its digest.</summary>
/// <param name="Pipeline">The pipeline's name.</param>
/// <param name="Version">1, 2, 3… in the order applied.</param>
/// <param name="Source">The file's text (YAML).</param>
/// <param name="Digest">The SHA-256 of the text, so that applying the same file twice makes no new version.</param>
/// <param name="Description">The file's description, if any.</param>
/// <param name="CreatedAt">When it was applied.</param>
/// <param name="CreatedBy">Who applied it (the API key's name), if known.</param>
public sealed record PipelineVersionRecord(string Pipeline, int Version, string Source, string Digest, string? Description, DateTimeOffset CreatedAt, string? CreatedBy);

/// <summary>Where a run stands.</summary>
public enum PipelineRunStatus
{
    /// <summary>Created; no replica has started it yet.</summary>
    [JsonStringEnumMemberName("queued")]
    Queued,

    /// <summary>A replica is running its steps.</summary>
    [JsonStringEnumMemberName("running")]
    Running,

    /// <summary>Every step left is waiting for a person (an approval).</summary>
    [JsonStringEnumMemberName("waiting")]
    Waiting,

    /// <summary>Every step succeeded, was served from the cache, or was skipped by its condition.</summary>
    [JsonStringEnumMemberName("succeeded")]
    Succeeded,

    /// <summary>A step failed after its retries.</summary>
    [JsonStringEnumMemberName("failed")]
    Failed,

    /// <summary>Cancelled on request.</summary>
    [JsonStringEnumMemberName("cancelled")]
    Cancelled,
}

/// <summary>Where a step of a run stands.</summary>
public enum PipelineStepStatus
{
    /// <summary>Not started: waiting for the steps it needs.</summary>
    [JsonStringEnumMemberName("pending")]
    Pending,

    /// <summary>Running now.</summary>
    [JsonStringEnumMemberName("running")]
    Running,

    /// <summary>Failed an attempt; the next one starts at <see cref="PipelineStepRecord.NextAttemptAt"/>.</summary>
    [JsonStringEnumMemberName("retrying")]
    Retrying,

    /// <summary>Waiting for something outside Kiln's control: a person's approval.</summary>
    [JsonStringEnumMemberName("waiting")]
    Waiting,

    /// <summary>Done.</summary>
    [JsonStringEnumMemberName("succeeded")]
    Succeeded,

    /// <summary>Done without running: an earlier run's outputs for the same definition, parameters and inputs.</summary>
    [JsonStringEnumMemberName("cached")]
    Cached,

    /// <summary>Not run: its condition was false, or a step it needs was skipped or failed.</summary>
    [JsonStringEnumMemberName("skipped")]
    Skipped,

    /// <summary>Failed after its retries.</summary>
    [JsonStringEnumMemberName("failed")]
    Failed,

    /// <summary>Stopped or never started because the run was cancelled.</summary>
    [JsonStringEnumMemberName("cancelled")]
    Cancelled,
}

/// <summary>One run of a pipeline version.</summary>
/// <param name="Id">The run's id.</param>
/// <param name="Pipeline">The pipeline's name.</param>
/// <param name="Version">The pipeline version it runs.</param>
/// <param name="Status">Where it stands.</param>
/// <param name="TriggerKind">What started it: cron, alert, model, pipeline, manual or api.</param>
/// <param name="TriggerReason">Why, in words (e.g. "alert bank-drift firing on bank: PSI 0.31 &gt; 0.2").</param>
/// <param name="TriggerJson">The trigger's values as a JSON object, readable in expressions as <c>trigger.*</c>.</param>
/// <param name="TriggerKey">A key unique per pipeline for triggers that must start a run once (a cron fire time, an alert firing); null for manual runs.</param>
/// <param name="ParametersJson">The run's parameter values as a JSON object.</param>
/// <param name="CreatedAt">When it was created.</param>
/// <param name="StartedAt">When a replica first started it.</param>
/// <param name="FinishedAt">When it ended.</param>
/// <param name="Error">Why it failed or was cancelled.</param>
/// <param name="Attempt">1, plus one for every retry of the run from its failed steps.</param>
/// <param name="Owner">The replica running it now.</param>
/// <param name="HeartbeatAt">When that replica last said it is still running it.</param>
/// <param name="CancelRequested">True once a cancel was asked for.</param>
/// <param name="StartedBy">Who started it by hand or through the API, if known.</param>
public sealed record PipelineRunRecord(
    string Id,
    string Pipeline,
    int Version,
    PipelineRunStatus Status,
    string TriggerKind,
    string TriggerReason,
    string TriggerJson,
    string? TriggerKey,
    string ParametersJson,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    string? Error,
    int Attempt,
    string? Owner,
    DateTimeOffset? HeartbeatAt,
    bool CancelRequested,
    string? StartedBy)
{
    /// <summary>True once the run can no longer change by itself.</summary>
    public bool IsFinished => Status is PipelineRunStatus.Succeeded or PipelineRunStatus.Failed or PipelineRunStatus.Cancelled;
}

/// <summary>One step of one run.</summary>
/// <param name="RunId">The run.</param>
/// <param name="Step">The step's name in the pipeline file.</param>
/// <param name="Kind">The step's kind.</param>
/// <param name="Status">Where it stands.</param>
/// <param name="Attempt">How many attempts have started (0 before the first).</param>
/// <param name="StartedAt">When its first attempt started.</param>
/// <param name="FinishedAt">When it ended.</param>
/// <param name="NextAttemptAt">When it is <see cref="PipelineStepStatus.Retrying"/>: when the next attempt starts.</param>
/// <param name="InputsJson">The inputs it ran with, expressions resolved (a JSON object).</param>
/// <param name="OutputsJson">Its outputs (a JSON object).</param>
/// <param name="Error">Why its last attempt failed, or why it was skipped.</param>
/// <param name="CacheKey">The digest of its kind, inputs and input artifacts, when it is cacheable.</param>
/// <param name="CachedFrom">When served from the cache: the run whose outputs it reused.</param>
/// <param name="DecisionJson">For an approval: the decision, who made it and their comment (a JSON object).</param>
public sealed record PipelineStepRecord(
    string RunId,
    string Step,
    string Kind,
    PipelineStepStatus Status,
    int Attempt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    DateTimeOffset? NextAttemptAt,
    string? InputsJson,
    string? OutputsJson,
    string? Error,
    string? CacheKey,
    string? CachedFrom,
    string? DecisionJson)
{
    /// <summary>True when the step is done one way or another and will not run again in this attempt of the run.</summary>
    public bool IsFinished => Status is PipelineStepStatus.Succeeded or PipelineStepStatus.Cached or PipelineStepStatus.Skipped
        or PipelineStepStatus.Failed or PipelineStepStatus.Cancelled;
}

/// <summary>One line a step wrote, numbered in the order written.</summary>
/// <param name="Sequence">Increasing across the whole store; a reader asks for lines after the last it saw.</param>
/// <param name="RunId">The run.</param>
/// <param name="Step">The step.</param>
/// <param name="Attempt">The attempt that wrote it.</param>
/// <param name="Time">When.</param>
/// <param name="Text">The line.</param>
public sealed record PipelineLogLine(long Sequence, string RunId, string Step, int Attempt, DateTimeOffset Time, string Text);
