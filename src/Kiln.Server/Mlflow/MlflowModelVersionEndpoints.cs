using Kiln.Core;
using Kiln.Core.Registry;
using Kiln.Core.Security;
using Kiln.Server.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Kiln.Server.Mlflow;

/// <summary>MLflow's model versions (model_registry.proto) over Kiln's registry; creating one imports the run's model.</summary>
internal static class MlflowModelVersionEndpoints
{
    private static readonly MlflowJsonContext Json = MlflowJsonContext.Default;

    public static RouteGroupBuilder MapMlflowModelVersionEndpoints(this RouteGroupBuilder mlflow)
    {
        var group = mlflow.MapGroup("/model-versions");
        group.MapPost("/create", Create).RequireRole(KilnRole.Deployer);
        group.MapGet("/get", Get).RequireRole(KilnRole.Viewer);
        group.MapGet("/search", Search).RequireRole(KilnRole.Viewer);
        group.MapPatch("/update", Update).RequireRole(KilnRole.Deployer);
        group.MapDelete("/delete", Delete).RequireRole(KilnRole.Deployer);
        return mlflow;
    }

    private static async Task<JsonHttpResult<ModelVersionResponse>> Create(
        HttpContext context, IModelRegistry registry, MlflowRunModelImporter importer, CancellationToken cancellationToken)
    {
        var request = await MlflowHttp.ReadAsync(context, Json.CreateModelVersion);
        MlflowPaths.Source(request.Source);
        var model = await MlflowRegisteredModelEndpoints.RequireModelAsync(registry, request.Name, cancellationToken);
        var version = await importer.ImportAsync(model.Name, request, cancellationToken);
        return MlflowHttp.Json(new ModelVersionResponse(MlflowWire.ModelVersion(version)), Json.ModelVersionResponse);
    }

    private static async Task<JsonHttpResult<ModelVersionResponse>> Get(
        [FromQuery(Name = "name")] string? name, [FromQuery(Name = "version")] string? version, IModelRegistry registry, CancellationToken cancellationToken) =>
        MlflowHttp.Json(new ModelVersionResponse(MlflowWire.ModelVersion(await RequireVersionAsync(registry, name, version, cancellationToken))), Json.ModelVersionResponse);

    private static async Task<ModelVersion> RequireVersionAsync(IModelRegistry registry, string? name, string? version, CancellationToken cancellationToken)
    {
        var model = MlflowHttp.Required(name, "name");
        var number = MlflowHttp.Version(version);
        return await registry.GetVersionAsync(model, number, cancellationToken) ?? throw KilnException.NotFound("Model version", $"{model}/{number}");
    }

    private static async Task<JsonHttpResult<ModelVersionsResponse>> Search(
        [FromQuery(Name = "filter")] string? filter, [FromQuery(Name = "max_results")] int? maxResults,
        [FromQuery(Name = "page_token")] string? pageToken, IModelRegistry registry, CancellationToken cancellationToken)
    {
        var parsed = MlflowNameFilter.Parse(filter, "name", "run_id", "source_path");
        var all = new List<MlflowModelVersion>();
        foreach (var model in await registry.ListModelsAsync(cancellationToken))
        {
            foreach (var version in await registry.ListVersionsAsync(model.Name, cancellationToken))
            {
                var wire = MlflowWire.ModelVersion(version);
                if (parsed.Matches(field => field switch { "name" => wire.Name, "run_id" => wire.RunId, _ => wire.Source }, version.Tags))
                {
                    all.Add(wire);
                }
            }
        }

        var (page, next) = MlflowHttp.Page(all, MlflowHttp.MaxResults(maxResults, 10_000, 200_000), pageToken);
        return MlflowHttp.Json(new ModelVersionsResponse(page, next), Json.ModelVersionsResponse);
    }

    private static async Task<JsonHttpResult<ModelVersionResponse>> Update(HttpContext context, IModelRegistry registry, CancellationToken cancellationToken)
    {
        var request = await MlflowHttp.ReadAsync(context, Json.UpdateModelVersion);
        var version = await RequireVersionAsync(registry, request.Name, request.Version, cancellationToken);
        var updated = await registry.SetVersionDescriptionAsync(version.ModelName, version.Version, request.Description, cancellationToken);
        return MlflowHttp.Json(new ModelVersionResponse(MlflowWire.ModelVersion(updated)), Json.ModelVersionResponse);
    }

    private static async Task<JsonHttpResult<MlflowEmpty>> Delete(HttpContext context, IModelRegistry registry, CancellationToken cancellationToken)
    {
        var request = await MlflowHttp.ReadAsync(context, Json.ModelVersionRequest);
        var version = await RequireVersionAsync(registry, request.Name, request.Version, cancellationToken);
        await registry.DeleteVersionAsync(version.ModelName, version.Version, cancellationToken);
        return MlflowHttp.Empty;
    }
}
