using Kiln.Core;
using Kiln.Core.Registry;
using Kiln.Core.Security;
using Kiln.Server.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Kiln.Server.Audit;

namespace Kiln.Server.Mlflow;

/// <summary>MLflow's registered models and aliases (model_registry.proto) over Kiln's registry.</summary>
internal static class MlflowRegisteredModelEndpoints
{
    private static readonly MlflowJsonContext Json = MlflowJsonContext.Default;

    public static RouteGroupBuilder MapMlflowRegisteredModelEndpoints(this RouteGroupBuilder mlflow)
    {
        var group = mlflow.MapGroup("/registered-models");
        group.MapPost("/create", Create).RequireRole(KilnRole.Deployer);
        group.MapGet("/get", Get).RequireRole(KilnRole.Viewer);
        group.MapGet("/search", Search).RequireRole(KilnRole.Viewer);
        group.MapPatch("/update", Update).RequireRole(KilnRole.Deployer);
        group.MapDelete("/delete", Delete).RequireRole(KilnRole.Deployer);
        group.MapPost("/get-latest-versions", LatestVersions).RequireRole(KilnRole.Viewer).NotAudited();
        group.MapGet("/get-latest-versions", LatestVersionsByQuery).RequireRole(KilnRole.Viewer);
        group.MapPost("/alias", SetAlias).RequireRole(KilnRole.Deployer);
        group.MapDelete("/alias", DeleteAlias).RequireRole(KilnRole.Deployer);
        group.MapGet("/alias", GetByAlias).RequireRole(KilnRole.Viewer);
        group.MapGet("/get-model-version-by-alias", GetByAlias).RequireRole(KilnRole.Viewer);
        return mlflow;
    }

    public static async Task<RegisteredModel> RequireModelAsync(IModelRegistry registry, string? name, CancellationToken cancellationToken)
    {
        var model = MlflowHttp.Required(name, "name");
        return await registry.GetModelAsync(model, cancellationToken) ?? throw KilnException.NotFound("Registered model", model);
    }

    private static async Task<MlflowRegisteredModel> WireAsync(IModelRegistry registry, RegisteredModel model, CancellationToken cancellationToken)
    {
        var latest = (await registry.ListVersionsAsync(model.Name, cancellationToken)).FirstOrDefault();
        return MlflowWire.RegisteredModel(model, latest);
    }

    private static async Task<JsonHttpResult<RegisteredModelResponse>> Create(HttpContext context, IModelRegistry registry, CancellationToken cancellationToken)
    {
        var request = await MlflowHttp.ReadAsync(context, Json.CreateRegisteredModel);
        var model = await registry.CreateModelAsync(MlflowHttp.Required(request.Name, "name"), request.Description, MlflowHttp.Tags(request.Tags), cancellationToken);
        return MlflowHttp.Json(new RegisteredModelResponse(MlflowWire.RegisteredModel(model, null)), Json.RegisteredModelResponse);
    }

    private static async Task<JsonHttpResult<RegisteredModelResponse>> Get([FromQuery(Name = "name")] string? name, IModelRegistry registry, CancellationToken cancellationToken)
    {
        var model = await RequireModelAsync(registry, name, cancellationToken);
        return MlflowHttp.Json(new RegisteredModelResponse(await WireAsync(registry, model, cancellationToken)), Json.RegisteredModelResponse);
    }

    private static async Task<JsonHttpResult<SearchRegisteredModelsResponse>> Search(
        [FromQuery(Name = "filter")] string? filter, [FromQuery(Name = "max_results")] int? maxResults, [FromQuery(Name = "order_by")] string[]? orderBy,
        [FromQuery(Name = "page_token")] string? pageToken, IModelRegistry registry, CancellationToken cancellationToken)
    {
        var parsed = MlflowNameFilter.Parse(filter, "name");
        var descending = orderBy is [var only] && only.Trim().EndsWith(" DESC", StringComparison.OrdinalIgnoreCase);
        if (orderBy is { Length: > 0 } && !orderBy.All(o => o.Trim().Split(' ')[0] is "name" or "attributes.name"))
        {
            throw KilnException.Invalid("order_by", "only 'name [ASC|DESC]' is supported.");
        }

        var matching = (await registry.ListModelsAsync(cancellationToken)).Where(m => parsed.Matches(_ => m.Name, m.Tags));
        var ordered = (descending ? matching.OrderByDescending(m => m.Name, StringComparer.Ordinal) : matching.OrderBy(m => m.Name, StringComparer.Ordinal)).ToArray();
        var (page, next) = MlflowHttp.Page(ordered, MlflowHttp.MaxResults(maxResults, 100, 1000), pageToken);
        var models = new List<MlflowRegisteredModel>(page.Count);
        foreach (var model in page)
        {
            models.Add(await WireAsync(registry, model, cancellationToken));
        }

        return MlflowHttp.Json(new SearchRegisteredModelsResponse(models, next), Json.SearchRegisteredModelsResponse);
    }

    private static async Task<JsonHttpResult<RegisteredModelResponse>> Update(HttpContext context, IModelRegistry registry, CancellationToken cancellationToken)
    {
        var request = await MlflowHttp.ReadAsync(context, Json.UpdateRegisteredModel);
        var model = await RequireModelAsync(registry, request.Name, cancellationToken);
        await registry.SetDescriptionAsync(model.Name, request.Description, cancellationToken);
        var updated = (await registry.GetModelAsync(model.Name, cancellationToken))!;
        return MlflowHttp.Json(new RegisteredModelResponse(await WireAsync(registry, updated, cancellationToken)), Json.RegisteredModelResponse);
    }

    private static async Task<JsonHttpResult<MlflowEmpty>> Delete(HttpContext context, IModelRegistry registry, CancellationToken cancellationToken)
    {
        var request = await MlflowHttp.ReadAsync(context, Json.ModelNameRequest);
        var name = MlflowHttp.Required(request.Name, "name");
        return await registry.DeleteModelAsync(name, cancellationToken) ? MlflowHttp.Empty : throw KilnException.NotFound("Registered model", name);
    }

    private static async Task<JsonHttpResult<ModelVersionsResponse>> LatestVersions(HttpContext context, IModelRegistry registry, CancellationToken cancellationToken) =>
        await LatestAsync(await MlflowHttp.ReadAsync(context, Json.GetLatestVersions), registry, cancellationToken);

    private static async Task<JsonHttpResult<ModelVersionsResponse>> LatestVersionsByQuery(
        [FromQuery(Name = "name")] string? name, [FromQuery(Name = "stages")] string[]? stages, IModelRegistry registry, CancellationToken cancellationToken) =>
        await LatestAsync(new GetLatestVersions(name, stages), registry, cancellationToken);

    /// <summary>Kiln has no stages (MLflow deprecated them for aliases): every version is in stage "None".</summary>
    private static async Task<JsonHttpResult<ModelVersionsResponse>> LatestAsync(GetLatestVersions request, IModelRegistry registry, CancellationToken cancellationToken)
    {
        var model = await RequireModelAsync(registry, request.Name, cancellationToken);
        var wantsNone = request.Stages is not { Count: > 0 } || request.Stages.Any(s => s.Equals("None", StringComparison.OrdinalIgnoreCase));
        var latest = wantsNone ? (await registry.ListVersionsAsync(model.Name, cancellationToken)).FirstOrDefault() : null;
        return MlflowHttp.Json(new ModelVersionsResponse(latest is null ? [] : [MlflowWire.ModelVersion(latest)]), Json.ModelVersionsResponse);
    }

    private static async Task<JsonHttpResult<MlflowEmpty>> SetAlias(HttpContext context, IModelRegistry registry, CancellationToken cancellationToken)
    {
        var request = await MlflowHttp.ReadAsync(context, Json.SetRegisteredModelAlias);
        var model = await RequireModelAsync(registry, request.Name, cancellationToken);
        var alias = MlflowHttp.Required(request.Alias, "alias");
        var version = MlflowHttp.Version(request.Version);
        var before = await AliasChange.CurrentAsync(registry, model.Name, alias, cancellationToken);
        await registry.SetAliasAsync(model.Name, alias, version, cancellationToken);
        AliasChange.Record(context, model.Name, alias, before, version);
        return MlflowHttp.Empty;
    }

    private static async Task<JsonHttpResult<MlflowEmpty>> DeleteAlias(HttpContext context, IModelRegistry registry, CancellationToken cancellationToken)
    {
        var request = await MlflowHttp.ReadAsync(context, Json.DeleteRegisteredModelAlias);
        var model = await RequireModelAsync(registry, request.Name, cancellationToken);
        var alias = MlflowHttp.Required(request.Alias, "alias");
        var before = await AliasChange.CurrentAsync(registry, model.Name, alias, cancellationToken);
        if (!await registry.DeleteAliasAsync(model.Name, alias, cancellationToken))
        {
            throw KilnException.NotFound("Alias", $"{model.Name}@{alias}");
        }

        AliasChange.Record(context, model.Name, alias, before, null);
        return MlflowHttp.Empty;
    }

    private static async Task<JsonHttpResult<ModelVersionResponse>> GetByAlias(
        [FromQuery(Name = "name")] string? name, [FromQuery(Name = "alias")] string? alias, IModelRegistry registry, CancellationToken cancellationToken)
    {
        var model = await RequireModelAsync(registry, name, cancellationToken);
        var aliasName = MlflowHttp.Required(alias, "alias");
        var version = await registry.ResolveAsync(new ModelReference(model.Name, null, aliasName), cancellationToken)
            ?? throw KilnException.NotFound("Alias", $"{model.Name}@{aliasName}");
        return MlflowHttp.Json(new ModelVersionResponse(MlflowWire.ModelVersion(version)), Json.ModelVersionResponse);
    }
}
