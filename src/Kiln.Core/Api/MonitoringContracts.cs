using System.Text.Json;
using System.Text.Json.Serialization;

namespace Kiln.Core.Api;

/// <summary>One item of a ground-truth upload.</summary>
/// <param name="RequestId">The request id of the prediction (the V2 <c>id</c> or the <c>Kiln-Request-Id</c> header).</param>
/// <param name="Row">The row's index within the request; defaults to 0.</param>
/// <param name="Value">The class label (string or number) or the regression target.</param>
public sealed record GroundTruthItem(
    [property: JsonPropertyName("request_id")] string? RequestId,
    [property: JsonPropertyName("row")] int? Row,
    [property: JsonPropertyName("value")] JsonElement Value);

/// <summary>Body of <c>POST /api/deployments/{deployment}/ground-truth</c>.</summary>
/// <param name="Labels">The labels, thousands per call are fine.</param>
public sealed record GroundTruthRequest([property: JsonPropertyName("labels")] IReadOnlyList<GroundTruthItem>? Labels);

/// <summary>One custom metric point in an upload.</summary>
/// <param name="Name">The metric's name.</param>
/// <param name="Value">Its value.</param>
/// <param name="Timestamp">When it was observed; defaults to the time of the upload.</param>
/// <param name="RequestId">The prediction it belongs to, if any.</param>
/// <param name="Row">The prediction's row, if any.</param>
public sealed record CustomMetricItem(
    [property: JsonPropertyName("name")] string? Name,
    [property: JsonPropertyName("value")] double? Value,
    [property: JsonPropertyName("timestamp")] DateTimeOffset? Timestamp = null,
    [property: JsonPropertyName("request_id")] string? RequestId = null,
    [property: JsonPropertyName("row")] int? Row = null);

/// <summary>Body of <c>POST /api/deployments/{deployment}/metrics</c>.</summary>
/// <param name="Metrics">The points.</param>
public sealed record CustomMetricsRequest([property: JsonPropertyName("metrics")] IReadOnlyList<CustomMetricItem>? Metrics);

/// <summary>A custom metric aggregated over one time window.</summary>
/// <param name="Name">The metric.</param>
/// <param name="Start">The window's start.</param>
/// <param name="End">The window's end.</param>
/// <param name="Count">Points in the window.</param>
/// <param name="Sum">Their sum.</param>
/// <param name="Mean">Their mean.</param>
/// <param name="Min">The smallest.</param>
/// <param name="Max">The largest.</param>
public sealed record CustomMetricWindow(string Name, DateTimeOffset Start, DateTimeOffset End, long Count, double Sum, double Mean, double Min, double Max);

/// <summary>One logged prediction as the API returns it.</summary>
/// <param name="Id">The log's sequence number (page with <c>after</c>).</param>
/// <param name="Timestamp">When it was scored.</param>
/// <param name="Variant">The variant that served it.</param>
/// <param name="Model">The model.</param>
/// <param name="Version">The model version.</param>
/// <param name="RequestId">Its request id.</param>
/// <param name="Row">Its row in the request.</param>
/// <param name="LatencyMs">Decode + score time of the request.</param>
/// <param name="Prediction">The predicted class (or null for regression).</param>
/// <param name="Score">The positive-class probability, top probability or regression value.</param>
/// <param name="Inputs">The row's features.</param>
/// <param name="Outputs">The row's outputs.</param>
/// <param name="Label">The ground truth, if it arrived.</param>
/// <param name="LabelledAt">When it arrived.</param>
public sealed record LoggedPrediction(
    long Id,
    DateTimeOffset Timestamp,
    string Variant,
    string Model,
    int Version,
    string RequestId,
    int Row,
    double LatencyMs,
    string? Prediction,
    double? Score,
    JsonElement Inputs,
    JsonElement Outputs,
    string? Label,
    DateTimeOffset? LabelledAt);

/// <summary>A page of logged predictions.</summary>
/// <param name="Deployment">The deployment.</param>
/// <param name="Predictions">The rows, oldest first.</param>
/// <param name="Next">The <c>after</c> value for the next page, or null at the end.</param>
public sealed record PredictionPage(string Deployment, IReadOnlyList<LoggedPrediction> Predictions, long? Next);

/// <summary>The prediction log's health: what waits, what was written, what was dropped or failed.</summary>
/// <param name="Enabled">Whether scored requests are logged.</param>
/// <param name="QueuedRows">Rows waiting for the writer.</param>
/// <param name="CapacityRows">The most rows that may wait.</param>
/// <param name="WrittenRows">Rows stored since start.</param>
/// <param name="DroppedRows">Rows dropped because the queue was full.</param>
/// <param name="DroppedRequests">Requests those rows belonged to.</param>
/// <param name="FailedRows">Rows the store refused after retries.</param>
/// <param name="Crashes">Processes (of any replica) that died without a clean stop, newest first, with what each lost.</param>
public sealed record PredictionLogStatus(
    bool Enabled, long QueuedRows, long CapacityRows, long WrittenRows, long DroppedRows, long DroppedRequests, long FailedRows, IReadOnlyList<PredictionLogCrash> Crashes);

/// <summary>A process that stopped without draining its prediction log (kill -9, out-of-memory kill, power loss).</summary>
/// <param name="Replica">The replica it ran as.</param>
/// <param name="StartedAt">When it started.</param>
/// <param name="LastCheckpointAt">Its last checkpoint: the counts below are as of then.</param>
/// <param name="DetectedAt">When a process found it dead and reported it.</param>
/// <param name="LostRows">Rows acknowledged to clients but not yet stored at the last checkpoint: lost.</param>
/// <param name="AcceptedRows">Rows it had queued for the log by then.</param>
/// <param name="WrittenRows">Rows it had stored by then.</param>
/// <param name="DroppedRows">Rows it had dropped because its queue was full.</param>
public sealed record PredictionLogCrash(
    string Replica, DateTimeOffset StartedAt, DateTimeOffset LastCheckpointAt, DateTimeOffset? DetectedAt, long LostRows, long AcceptedRows, long WrittenRows, long DroppedRows);

/// <summary>What a custom-metrics upload stored.</summary>
/// <param name="Stored">Points stored.</param>
public sealed record CustomMetricsResult(int Stored);

/// <summary>What <c>POST /api/deployments/{deployment}/batch-predictions</c> took into the prediction log.</summary>
/// <param name="Rows">Rows queued for the log.</param>
public sealed record BatchPredictionsAccepted([property: JsonPropertyName("rows")] int Rows);
