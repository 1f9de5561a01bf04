using System.Globalization;
using Kiln.Core;
using Kiln.Core.Errors;
using Kiln.Core.Security;
using Kiln.Core.Tracking;
using Kiln.Server.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Kiln.Server.Audit;

namespace Kiln.Server.Mlflow;

/// <summary>MLflow's experiments API (service.proto: CreateExperiment … SetExperimentTag) over Kiln's tracking store.</summary>
internal static class MlflowExperimentEndpoints
{
    /// <summary>MLflow clients fall back to experiment "0", the "Default" experiment; Kiln creates it on first use.</summary>
    public const string DefaultExperimentId = "0";
    public const string DefaultExperimentName = "Default";

    private static readonly MlflowJsonContext Json = MlflowJsonContext.Default;

    public static RouteGroupBuilder MapMlflowExperimentEndpoints(this RouteGroupBuilder mlflow)
    {
        var group = mlflow.MapGroup("/experiments");
        group.MapPost("/create", Create).RequireRole(KilnRole.Deployer);
        group.MapGet("/get", Get).RequireRole(KilnRole.Viewer);
        group.MapGet("/get-by-name", GetByName).RequireRole(KilnRole.Viewer);
        group.MapPost("/search", Search).RequireRole(KilnRole.Viewer).NotAudited();
        group.MapGet("/search", SearchByQuery).RequireRole(KilnRole.Viewer);
        group.MapGet("/list", List).RequireRole(KilnRole.Viewer);
        group.MapPost("/update", Update).RequireRole(KilnRole.Deployer);
        group.MapPost("/delete", Delete).RequireRole(KilnRole.Deployer);
        group.MapPost("/restore", Restore).RequireRole(KilnRole.Deployer);
        group.MapPost("/set-experiment-tag", SetTag).RequireRole(KilnRole.Deployer);
        return mlflow;
    }

    /// <summary>Resolves an MLflow experiment id; "0" is the Default experiment.</summary>
    public static async Task<Experiment> ResolveAsync(ITrackingStore store, string? id, CancellationToken cancellationToken)
    {
        var experimentId = MlflowHttp.Required(id, "experiment_id");
        if (experimentId == DefaultExperimentId)
        {
            return await store.GetExperimentByNameAsync(DefaultExperimentName, cancellationToken) ?? await CreateDefaultAsync(store, cancellationToken);
        }

        return await store.GetExperimentAsync(experimentId, cancellationToken)
            ?? throw KilnException.NotFound("Experiment", experimentId);
    }

    private static async Task<Experiment> CreateDefaultAsync(ITrackingStore store, CancellationToken cancellationToken)
    {
        try
        {
            return await store.CreateExperimentAsync(DefaultExperimentName, null, cancellationToken);
        }
        catch (KilnException e) when (e.Kind == KilnErrorKind.Conflict)
        {
            return (await store.GetExperimentByNameAsync(DefaultExperimentName, cancellationToken))!;
        }
    }

    private static async Task<JsonHttpResult<CreateExperimentResponse>> Create(HttpContext context, ITrackingStore store, CancellationToken cancellationToken)
    {
        var request = await MlflowHttp.ReadAsync(context, Json.CreateExperiment);
        MlflowPaths.ArtifactLocation(request.ArtifactLocation);
        var experiment = await store.CreateExperimentAsync(MlflowHttp.Required(request.Name, "name"), MlflowHttp.Tags(request.Tags), cancellationToken);
        return MlflowHttp.Json(new CreateExperimentResponse(experiment.Id), Json.CreateExperimentResponse);
    }

    private static async Task<JsonHttpResult<ExperimentResponse>> Get([FromQuery(Name = "experiment_id")] string? experimentId, ITrackingStore store, CancellationToken cancellationToken) =>
        MlflowHttp.Json(new ExperimentResponse(MlflowWire.Experiment(await ResolveAsync(store, experimentId, cancellationToken))), Json.ExperimentResponse);

    private static async Task<JsonHttpResult<ExperimentResponse>> GetByName([FromQuery(Name = "experiment_name")] string? experimentName, ITrackingStore store, CancellationToken cancellationToken)
    {
        var name = MlflowHttp.Required(experimentName, "experiment_name");
        var experiment = await store.GetExperimentByNameAsync(name, cancellationToken) ?? throw KilnException.NotFound("Experiment", name);
        return MlflowHttp.Json(new ExperimentResponse(MlflowWire.Experiment(experiment)), Json.ExperimentResponse);
    }

    private static async Task<JsonHttpResult<SearchExperimentsResponse>> Search(HttpContext context, ITrackingStore store, CancellationToken cancellationToken) =>
        await SearchAsync(await MlflowHttp.ReadAsync(context, Json.SearchExperiments), store, cancellationToken);

    private static async Task<JsonHttpResult<SearchExperimentsResponse>> SearchByQuery(
        [FromQuery(Name = "max_results")] int? maxResults, [FromQuery(Name = "page_token")] string? pageToken, [FromQuery(Name = "filter")] string? filter,
        [FromQuery(Name = "order_by")] string[]? orderBy, [FromQuery(Name = "view_type")] string? viewType, ITrackingStore store, CancellationToken cancellationToken) =>
        await SearchAsync(new SearchExperiments(maxResults, pageToken, filter, orderBy, viewType), store, cancellationToken);

    private static async Task<JsonHttpResult<SearchExperimentsResponse>> List([FromQuery(Name = "view_type")] string? viewType, ITrackingStore store, CancellationToken cancellationToken)
    {
        var all = (await store.ListExperimentsAsync(cancellationToken)).Where(ViewFilter(viewType)).Select(MlflowWire.Experiment).ToArray();
        return MlflowHttp.Json(new SearchExperimentsResponse(all, null), Json.SearchExperimentsResponse);
    }

    private static async Task<JsonHttpResult<SearchExperimentsResponse>> SearchAsync(SearchExperiments request, ITrackingStore store, CancellationToken cancellationToken)
    {
        var max = MlflowHttp.MaxResults(request.MaxResults, 1000, 50_000);
        var filter = MlflowNameFilter.Parse(request.Filter, "name");
        var view = ViewFilter(request.ViewType);
        var matching = (await store.ListExperimentsAsync(cancellationToken))
            .Where(e => view(e) && filter.Matches(_ => e.Name, e.Tags));
        var ordered = Order(matching, request.OrderBy).ToArray();
        var (page, next) = MlflowHttp.Page(ordered, max, request.PageToken);
        return MlflowHttp.Json(new SearchExperimentsResponse(page.Select(MlflowWire.Experiment).ToArray(), next), Json.SearchExperimentsResponse);
    }

    private static Func<Experiment, bool> ViewFilter(string? viewType) => viewType switch
    {
        null or "" or "ACTIVE_ONLY" => e => e.LifecycleStage == "active",
        "DELETED_ONLY" => e => e.LifecycleStage == "deleted",
        "ALL" => _ => true,
        _ => throw KilnException.Invalid("view_type", $"'{viewType}' is not one of ACTIVE_ONLY, DELETED_ONLY, ALL."),
    };

    private static IEnumerable<Experiment> Order(IEnumerable<Experiment> experiments, IReadOnlyList<string>? orderBy)
    {
        // MLflow's default: newest first, then by id.
        IOrderedEnumerable<Experiment>? ordered = null;
        foreach (var clause in orderBy ?? [])
        {
            var parts = clause.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var descending = parts.Length == 2 && parts[1].Equals("DESC", StringComparison.OrdinalIgnoreCase);
            if (parts.Length is 0 or > 2 || (parts.Length == 2 && !descending && !parts[1].Equals("ASC", StringComparison.OrdinalIgnoreCase)))
            {
                throw KilnException.Invalid("order_by", $"cannot parse '{clause}'.");
            }

            Func<Experiment, IComparable> key = parts[0].Replace("attributes.", "", StringComparison.Ordinal) switch
            {
                "name" => e => e.Name,
                "creation_time" => e => e.CreatedAt,
                "last_update_time" => e => e.UpdatedAt,
                "experiment_id" => e => int.Parse(e.Id, CultureInfo.InvariantCulture),
                _ => throw KilnException.Invalid("order_by", $"'{parts[0]}' is not one of name, creation_time, last_update_time, experiment_id."),
            };
            ordered = ordered is null
                ? descending ? experiments.OrderByDescending(key) : experiments.OrderBy(key)
                : descending ? ordered.ThenByDescending(key) : ordered.ThenBy(key);
        }

        return ordered is null
            ? experiments.OrderByDescending(e => e.CreatedAt).ThenBy(e => int.Parse(e.Id, CultureInfo.InvariantCulture))
            : ordered.ThenBy(e => int.Parse(e.Id, CultureInfo.InvariantCulture));
    }

    private static async Task<JsonHttpResult<MlflowEmpty>> Update(HttpContext context, ITrackingStore store, CancellationToken cancellationToken)
    {
        var request = await MlflowHttp.ReadAsync(context, Json.UpdateExperiment);
        var experiment = await ResolveAsync(store, request.ExperimentId, cancellationToken);
        await store.RenameExperimentAsync(experiment.Id, MlflowHttp.Required(request.NewName, "new_name"), cancellationToken);
        return MlflowHttp.Empty;
    }

    private static Task<JsonHttpResult<MlflowEmpty>> Delete(HttpContext context, ITrackingStore store, CancellationToken cancellationToken) =>
        SetLifecycleAsync(context, store, deleted: true, cancellationToken);

    private static Task<JsonHttpResult<MlflowEmpty>> Restore(HttpContext context, ITrackingStore store, CancellationToken cancellationToken) =>
        SetLifecycleAsync(context, store, deleted: false, cancellationToken);

    private static async Task<JsonHttpResult<MlflowEmpty>> SetLifecycleAsync(HttpContext context, ITrackingStore store, bool deleted, CancellationToken cancellationToken)
    {
        var request = await MlflowHttp.ReadAsync(context, Json.ExperimentIdRequest);
        var experiment = await ResolveAsync(store, request.ExperimentId, cancellationToken);
        await store.SetExperimentLifecycleAsync(experiment.Id, deleted, cancellationToken);
        return MlflowHttp.Empty;
    }

    private static async Task<JsonHttpResult<MlflowEmpty>> SetTag(HttpContext context, ITrackingStore store, CancellationToken cancellationToken)
    {
        var request = await MlflowHttp.ReadAsync(context, Json.SetExperimentTag);
        var experiment = await ResolveAsync(store, request.ExperimentId, cancellationToken);
        await store.SetExperimentTagAsync(experiment.Id, MlflowHttp.Required(request.Key, "key"), request.Value ?? "", cancellationToken);
        return MlflowHttp.Empty;
    }
}
