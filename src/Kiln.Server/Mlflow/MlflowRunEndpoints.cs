using System.Text.Json;
using System.Text.Json.Nodes;
using Kiln.Core;
using Kiln.Core.Security;
using Kiln.Core.Tracking;
using Kiln.Server.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Kiln.Server.Audit;

namespace Kiln.Server.Mlflow;

/// <summary>MLflow's runs API (service.proto: CreateRun … GetMetricHistory) over Kiln's tracking store.</summary>
internal static class MlflowRunEndpoints
{
    // MLflow's LogBatch limits (mlflow/utils/validation.py).
    public const int MaxBatchMetrics = 1000;
    public const int MaxBatchParams = 100;
    public const int MaxBatchTags = 100;
    public const int MaxBatchTotal = 1000;

    private const string LoggedModelsTag = "mlflow.log-model.history";

    private static readonly MlflowJsonContext Json = MlflowJsonContext.Default;

    public static RouteGroupBuilder MapMlflowRunEndpoints(this RouteGroupBuilder mlflow)
    {
        var runs = mlflow.MapGroup("/runs");
        runs.MapPost("/create", Create).RequireRole(KilnRole.Deployer);
        runs.MapGet("/get", Get).RequireRole(KilnRole.Viewer);
        runs.MapPost("/update", Update).RequireRole(KilnRole.Deployer);
        runs.MapPost("/delete", Delete).RequireRole(KilnRole.Deployer);
        runs.MapPost("/restore", Restore).RequireRole(KilnRole.Deployer);
        runs.MapPost("/search", Search).RequireRole(KilnRole.Viewer).NotAudited();
        runs.MapPost("/log-metric", LogMetricHandler).RequireRole(KilnRole.Deployer);
        runs.MapPost("/log-parameter", LogParameter).RequireRole(KilnRole.Deployer);
        runs.MapPost("/log-batch", LogBatchHandler).RequireRole(KilnRole.Deployer);
        runs.MapPost("/set-tag", SetTagHandler).RequireRole(KilnRole.Deployer);
        runs.MapPost("/delete-tag", DeleteTagHandler).RequireRole(KilnRole.Deployer);
        runs.MapPost("/log-inputs", LogInputsHandler).RequireRole(KilnRole.Deployer);
        runs.MapPost("/log-model", LogModelHandler).RequireRole(KilnRole.Deployer);
        mlflow.MapGet("/metrics/get-history", MetricHistory).RequireRole(KilnRole.Viewer);
        return mlflow;
    }

    public static async Task<Run> RequireRunAsync(ITrackingStore store, string? runId, CancellationToken cancellationToken)
    {
        var id = MlflowHttp.Required(runId, "run_id");
        return await store.GetRunAsync(id, cancellationToken) ?? throw KilnException.NotFound("Run", id);
    }

    private static async Task<JsonHttpResult<RunResponse>> Create(HttpContext context, ITrackingStore store, CancellationToken cancellationToken)
    {
        var request = await MlflowHttp.ReadAsync(context, Json.CreateRun);
        var experiment = await MlflowExperimentEndpoints.ResolveAsync(store, request.ExperimentId ?? MlflowExperimentEndpoints.DefaultExperimentId, cancellationToken);
        var tags = MlflowHttp.Tags(request.Tags);
        if (!string.IsNullOrEmpty(request.UserId))
        {
            tags.TryAdd("mlflow.user", request.UserId);
        }

        var name = request.RunName ?? tags.GetValueOrDefault("mlflow.runName");
        var run = await store.CreateRunAsync(experiment.Id, name, tags, cancellationToken);
        return MlflowHttp.Json(new RunResponse(MlflowWire.Run(run)), Json.RunResponse);
    }

    private static async Task<JsonHttpResult<RunResponse>> Get(
        [FromQuery(Name = "run_id")] string? runId, [FromQuery(Name = "run_uuid")] string? runUuid, ITrackingStore store, CancellationToken cancellationToken) =>
        MlflowHttp.Json(new RunResponse(MlflowWire.Run(await RequireRunAsync(store, runId ?? runUuid, cancellationToken))), Json.RunResponse);

    private static async Task<JsonHttpResult<UpdateRunResponse>> Update(HttpContext context, ITrackingStore store, CancellationToken cancellationToken)
    {
        var request = await MlflowHttp.ReadAsync(context, Json.UpdateRun);
        var run = await RequireRunAsync(store, request.RunId ?? request.RunUuid, cancellationToken);
        RunStatus? status = request.Status is { } s ? MlflowWire.ParseStatus(s) : null;
        var updated = await store.UpdateRunAsync(run.Id, status, request.RunName, cancellationToken);
        return MlflowHttp.Json(new UpdateRunResponse(MlflowWire.RunInfo(updated)), Json.UpdateRunResponse);
    }

    private static Task<JsonHttpResult<MlflowEmpty>> Delete(HttpContext context, ITrackingStore store, CancellationToken cancellationToken) =>
        SetLifecycleAsync(context, store, deleted: true, cancellationToken);

    private static Task<JsonHttpResult<MlflowEmpty>> Restore(HttpContext context, ITrackingStore store, CancellationToken cancellationToken) =>
        SetLifecycleAsync(context, store, deleted: false, cancellationToken);

    private static async Task<JsonHttpResult<MlflowEmpty>> SetLifecycleAsync(HttpContext context, ITrackingStore store, bool deleted, CancellationToken cancellationToken)
    {
        var request = await MlflowHttp.ReadAsync(context, Json.RunIdRequest);
        await store.SetRunLifecycleAsync(MlflowHttp.Required(request.RunId, "run_id"), deleted, cancellationToken);
        return MlflowHttp.Empty;
    }

    private static async Task<JsonHttpResult<SearchRunsResponse>> Search(HttpContext context, ITrackingStore store, CancellationToken cancellationToken)
    {
        var request = await MlflowHttp.ReadAsync(context, Json.SearchRuns);
        if (request.RunViewType is not (null or "" or "ACTIVE_ONLY"))
        {
            throw KilnException.Invalid("run_view_type", "only ACTIVE_ONLY is supported: deleted runs are not searched.");
        }

        var experimentIds = new List<string>();
        foreach (var id in request.ExperimentIds ?? [])
        {
            experimentIds.Add((await MlflowExperimentEndpoints.ResolveAsync(store, id, cancellationToken)).Id);
        }

        var query = new RunQuery(experimentIds, request.Filter, request.OrderBy, MlflowHttp.MaxResults(request.MaxResults, 1000, 50_000), request.PageToken);
        var page = await store.SearchRunsAsync(query, cancellationToken);
        return MlflowHttp.Json(new SearchRunsResponse(page.Runs.Select(MlflowWire.Run).ToArray(), page.NextPageToken), Json.SearchRunsResponse);
    }

    private static async Task<JsonHttpResult<MlflowEmpty>> LogMetricHandler(HttpContext context, ITrackingStore store, TimeProvider time, CancellationToken cancellationToken)
    {
        var request = await MlflowHttp.ReadAsync(context, Json.LogMetric);
        var point = new MlflowMetric(
            MlflowHttp.Required(request.Key, "key"),
            request.Value ?? throw KilnException.Invalid("value", "is required."),
            request.Timestamp ?? time.GetUtcNow().ToUnixTimeMilliseconds(),
            request.Step ?? 0);
        await store.LogAsync(MlflowHttp.Required(request.RunId ?? request.RunUuid, "run_id"), new RunLog(Metrics: [ToPoint(point)]), cancellationToken);
        return MlflowHttp.Empty;
    }

    private static async Task<JsonHttpResult<MlflowEmpty>> LogParameter(HttpContext context, ITrackingStore store, CancellationToken cancellationToken)
    {
        var request = await MlflowHttp.ReadAsync(context, Json.LogParam);
        var parameters = new Dictionary<string, string> { [MlflowHttp.Required(request.Key, "key")] = request.Value ?? "" };
        await store.LogAsync(MlflowHttp.Required(request.RunId ?? request.RunUuid, "run_id"), new RunLog(Params: parameters), cancellationToken);
        return MlflowHttp.Empty;
    }

    private static async Task<JsonHttpResult<MlflowEmpty>> LogBatchHandler(HttpContext context, ITrackingStore store, CancellationToken cancellationToken)
    {
        var request = await MlflowHttp.ReadAsync(context, Json.LogBatch);
        var (metrics, parameters, tags) = (request.Metrics ?? [], request.Params ?? [], request.Tags ?? []);
        Limit(metrics.Count, MaxBatchMetrics, "metrics");
        Limit(parameters.Count, MaxBatchParams, "params");
        Limit(tags.Count, MaxBatchTags, "tags");
        Limit(metrics.Count + parameters.Count + tags.Count, MaxBatchTotal, "metrics, params and tags");
        var log = new RunLog(
            metrics.Select(ToPoint).ToArray(),
            parameters.GroupBy(p => MlflowHttp.Required(p.Key, "params.key"), StringComparer.Ordinal).ToDictionary(g => g.Key, g => SingleValue(g), StringComparer.Ordinal),
            MlflowHttp.Tags(tags));
        await store.LogAsync(MlflowHttp.Required(request.RunId, "run_id"), log, cancellationToken);
        return MlflowHttp.Empty;
    }

    private static string SingleValue(IGrouping<string, MlflowParam> values) =>
        values.Select(p => p.Value ?? "").Distinct(StringComparer.Ordinal).Count() == 1
            ? values.First().Value ?? ""
            : throw KilnException.Invalid($"params.{values.Key}", "is given twice with different values in one batch.");

    private static void Limit(int count, int max, string what)
    {
        if (count > max)
        {
            throw KilnException.Invalid(what, $"a batch may carry at most {max} {what}; this one has {count}.");
        }
    }

    private static MetricPoint ToPoint(MlflowMetric metric) => new(
        MlflowHttp.Required(metric.Key, "metrics.key"), metric.Value, DateTimeOffset.FromUnixTimeMilliseconds(metric.Timestamp), metric.Step);

    private static async Task<JsonHttpResult<MlflowEmpty>> SetTagHandler(HttpContext context, ITrackingStore store, CancellationToken cancellationToken)
    {
        var request = await MlflowHttp.ReadAsync(context, Json.SetTag);
        var tags = new Dictionary<string, string> { [MlflowHttp.Required(request.Key, "key")] = request.Value ?? "" };
        var runId = MlflowHttp.Required(request.RunId ?? request.RunUuid, "run_id");
        await store.LogAsync(runId, new RunLog(Tags: tags), cancellationToken);
        if (request.Key == "mlflow.runName" && !string.IsNullOrWhiteSpace(request.Value))
        {
            // MLflow keeps the run name and this tag in step.
            await store.UpdateRunAsync(runId, null, request.Value, cancellationToken);
        }

        return MlflowHttp.Empty;
    }

    private static async Task<JsonHttpResult<MlflowEmpty>> DeleteTagHandler(HttpContext context, ITrackingStore store, CancellationToken cancellationToken)
    {
        var request = await MlflowHttp.ReadAsync(context, Json.DeleteTag);
        await store.DeleteRunTagAsync(MlflowHttp.Required(request.RunId, "run_id"), MlflowHttp.Required(request.Key, "key"), cancellationToken);
        return MlflowHttp.Empty;
    }

    private static async Task<JsonHttpResult<MlflowEmpty>> LogInputsHandler(HttpContext context, ITrackingStore store, CancellationToken cancellationToken)
    {
        var request = await MlflowHttp.ReadAsync(context, Json.LogInputs);
        var inputs = (request.Datasets ?? []).Select(MlflowWire.DatasetInput).ToArray();
        await store.LogInputsAsync(MlflowHttp.Required(request.RunId, "run_id"), inputs, cancellationToken);
        return MlflowHttp.Empty;
    }

    /// <summary>MLflow 2's log_model records the model's metadata in this tag, as MLflow's own store does.</summary>
    private static async Task<JsonHttpResult<MlflowEmpty>> LogModelHandler(HttpContext context, ITrackingStore store, CancellationToken cancellationToken)
    {
        var request = await MlflowHttp.ReadAsync(context, Json.LogModel);
        var run = await RequireRunAsync(store, request.RunId, cancellationToken);
        JsonObject model;
        try
        {
            model = JsonNode.Parse(MlflowHttp.Required(request.ModelJson, "model_json")) as JsonObject
                ?? throw KilnException.Invalid("model_json", "must be a JSON object.");
        }
        catch (JsonException)
        {
            throw KilnException.Invalid("model_json", "is not valid JSON.");
        }

        JsonArray history;
        try
        {
            history = run.Tags.TryGetValue(LoggedModelsTag, out var existing) ? JsonNode.Parse(existing) as JsonArray ?? [] : [];
        }
        catch (JsonException)
        {
            history = [];
        }

        history.Add(model);
        await store.LogAsync(run.Id, new RunLog(Tags: new Dictionary<string, string> { [LoggedModelsTag] = history.ToJsonString() }), cancellationToken);
        return MlflowHttp.Empty;
    }

    private static async Task<JsonHttpResult<MetricHistoryResponse>> MetricHistory(
        [FromQuery(Name = "run_id")] string? runId, [FromQuery(Name = "run_uuid")] string? runUuid, [FromQuery(Name = "metric_key")] string? metricKey,
        [FromQuery(Name = "max_results")] int? maxResults, [FromQuery(Name = "page_token")] string? pageToken, ITrackingStore store, CancellationToken cancellationToken)
    {
        var points = await store.GetMetricHistoryAsync(MlflowHttp.Required(runId ?? runUuid, "run_id"), MlflowHttp.Required(metricKey, "metric_key"), cancellationToken);
        var (page, next) = MlflowHttp.Page(points.Select(MlflowWire.Metric).ToArray(), MlflowHttp.MaxResults(maxResults, 25_000, 25_000), pageToken);
        return MlflowHttp.Json(new MetricHistoryResponse(page, next), Json.MetricHistoryResponse);
    }
}
