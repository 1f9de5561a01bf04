using System.Text.Json;
using System.Text.Json.Serialization;

namespace Kiln.Core.Api;

/// <summary>Body of <c>POST /api/batch-jobs</c>: what to score in the server, as <c>kiln batch</c> would.</summary>
/// <param name="Model">The model: <c>NAME@ALIAS</c>, <c>NAME/VERSION</c> or <c>NAME</c> (latest).</param>
/// <param name="Input">
/// The rows: a path on the server (a .csv/.parquet file or a folder, under the folders pipeline steps may read), or an
/// artifact of a tracked run as <c>{"run_id", "path"}</c>.
/// </param>
/// <param name="Format">The output's format: <c>csv</c> (default) or <c>parquet</c>.</param>
/// <param name="KeepColumns">Input columns copied beside the scores.</param>
/// <param name="OnError">A bad row: <c>fail</c> (default) or <c>skip</c>.</param>
/// <param name="Log">A deployment whose prediction log takes the scored rows (variant <c>batch</c>).</param>
/// <param name="LogSample">With <paramref name="Log"/>: the share of rows logged (default: the deployment's rate).</param>
public sealed record BatchJobRequest(
    [property: JsonPropertyName("model")] string? Model,
    [property: JsonPropertyName("input")] JsonElement Input,
    [property: JsonPropertyName("format")] string? Format = null,
    [property: JsonPropertyName("keepColumns")] IReadOnlyList<string>? KeepColumns = null,
    [property: JsonPropertyName("onError")] string? OnError = null,
    [property: JsonPropertyName("log")] string? Log = null,
    [property: JsonPropertyName("logSample")] double? LogSample = null);

/// <summary>A batch job: a run of the server's batch-scoring pipeline.</summary>
/// <param name="Id">The job's id (its pipeline run's id).</param>
/// <param name="Status">queued, running, succeeded, failed or cancelled.</param>
/// <param name="Model">The model as asked for.</param>
/// <param name="CreatedAt">When the job was asked for.</param>
/// <param name="StartedAt">When it started.</param>
/// <param name="FinishedAt">When it ended.</param>
/// <param name="Progress">The latest progress line while it runs (share done, rows, rows/s).</param>
/// <param name="Result">Once succeeded: rows, scored, bad_rows, batch_id, model_version, logged_rows and the predictions artifact.</param>
/// <param name="Error">Why it failed.</param>
/// <param name="Output">Where the scored file is downloaded from, once succeeded.</param>
public sealed record BatchJobView(
    string Id,
    string Status,
    string? Model,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    string? Progress,
    JsonElement? Result,
    string? Error,
    string? Output);
