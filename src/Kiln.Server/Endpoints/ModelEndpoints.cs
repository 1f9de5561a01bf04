using System.Text.Json.Nodes;
using Kiln.Core.Security;
using Kiln.Core;
using Kiln.Core.Api;
using Kiln.Core.Packaging;
using Kiln.Core.Registry;
using Kiln.Server.Registry;
using Kiln.Server.Security;
using Kiln.Server.Uploads;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

using Kiln.Server.Audit;

namespace Kiln.Server.Endpoints;

/// <summary>The model registry API: models, immutable versions, aliases.</summary>
internal static class ModelEndpoints
{
    public static IEndpointRouteBuilder MapModelEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/models").WithTags("Registry");
        group.MapGet("", ListModels).RequireRole(KilnRole.Viewer);
        group.MapGet("/{name}", GetModel).RequireRole(KilnRole.Viewer);
        group.MapPatch("/{name}", UpdateModel).RequireRole(KilnRole.Deployer);
        group.MapGet("/{name}/versions", ListVersions).RequireRole(KilnRole.Viewer);
        group.MapGet("/{name}/versions/{version:int}", GetVersion).RequireRole(KilnRole.Viewer);
        group.MapGet("/{name}/versions/{version:int}/files/{**path}", DownloadFile).RequireRole(KilnRole.Viewer)
            .WithSummary("One file of a version's package, by its package path (what `kiln batch` loads a model from).");
        group.MapPost("/{name}/versions", RegisterVersion).RequireRole(KilnRole.Deployer).DisableAntiforgery()
            .WithSummary("Register a new version from a multipart upload: file parts named by their package path; optional fields alias, description, featureNames, source, runId.");
        group.MapPut("/{name}/versions/{version:int}/profile", SetProfile).RequireRole(KilnRole.Deployer)
            .WithSummary("Replace a version's training-data profile (the drift baseline); answers with the version and the profile columns the model does not know.");
        group.MapGet("/{name}/aliases/{alias}", ResolveAlias).RequireRole(KilnRole.Viewer);
        group.MapPut("/{name}/aliases/{alias}", SetAlias).RequireRole(KilnRole.Deployer);
        group.MapDelete("/{name}/aliases/{alias}", DeleteAlias).RequireRole(KilnRole.Deployer);
        group.MapGet("/{name}/alias-history", AliasHistory).RequireRole(KilnRole.Viewer).WithSummary("Every move of the model's aliases, newest first.");
        return app;
    }

    private static async Task<Ok<IReadOnlyList<RegisteredModel>>> ListModels(IModelRegistry registry, CancellationToken cancellationToken) =>
        TypedResults.Ok(await registry.ListModelsAsync(cancellationToken));

    private static async Task<Ok<RegisteredModel>> GetModel(string name, IModelRegistry registry, CancellationToken cancellationToken) =>
        TypedResults.Ok(await registry.GetModelAsync(name, cancellationToken) ?? throw KilnException.NotFound("Model", name));

    private static async Task<Ok<RegisteredModel>> UpdateModel(string name, UpdateModelRequest request, IModelRegistry registry, HttpContext context, CancellationToken cancellationToken)
    {
        var before = await registry.GetModelAsync(name, cancellationToken);
        await registry.SetDescriptionAsync(name, request.Description, cancellationToken);
        var after = (await registry.GetModelAsync(name, cancellationToken))!;
        AuditNote.Record(context, new JsonObject { ["description"] = before?.Description }, new JsonObject { ["description"] = after.Description });
        return TypedResults.Ok(after);
    }

    private static async Task<Ok<IReadOnlyList<ModelVersion>>> ListVersions(string name, IModelRegistry registry, CancellationToken cancellationToken)
    {
        _ = await registry.GetModelAsync(name, cancellationToken) ?? throw KilnException.NotFound("Model", name);
        return TypedResults.Ok(await registry.ListVersionsAsync(name, cancellationToken));
    }

    private static async Task<Ok<ModelVersion>> GetVersion(string name, int version, IModelRegistry registry, CancellationToken cancellationToken) =>
        TypedResults.Ok(await registry.GetVersionAsync(name, version, cancellationToken) ?? throw KilnException.NotFound("Model version", $"{name}/{version}"));

    private static async Task<FileStreamHttpResult> DownloadFile(string name, int version, string path, IModelRegistry registry, IArtifactStore artifacts, CancellationToken cancellationToken)
    {
        var found = await registry.GetVersionAsync(name, version, cancellationToken) ?? throw KilnException.NotFound("Model version", $"{name}/{version}");
        var file = found.Manifest.Files.FirstOrDefault(f => f.Path == path) ?? throw KilnException.NotFound("Package file", path);
        return TypedResults.File(await artifacts.OpenAsync(file.Sha256, cancellationToken), "application/octet-stream", Path.GetFileName(file.Path));
    }

    private static async Task<Created<ModelVersion>> RegisterVersion(
        string name, HttpContext context, PackageUploadReader reader, ModelRegistration registration, IOptions<Configuration.KilnOptions> options, CancellationToken cancellationToken)
    {
        ModelName.Validate(name, "name");
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = options.Value.Serving.MaxUploadBytes + (1024 * 1024);
        }

        using var upload = await reader.ReadAsync(context.Request, cancellationToken);
        var version = await registration.RegisterAsync(name, upload, cancellationToken);
        return TypedResults.Created($"/api/models/{version.ModelName}/versions/{version.Version}", version);
    }

    private static async Task<Ok<SetProfileResult>> SetProfile(string name, int version, DataProfile? profile, IModelRegistry registry, CancellationToken cancellationToken)
    {
        var existing = await registry.GetVersionAsync(name, version, cancellationToken) ?? throw KilnException.NotFound("Model version", $"{name}/{version}");
        var unknown = ProfileValidator.Validate(profile, existing.Manifest.Signature);
        var updated = await registry.SetProfileAsync(name, version, profile!, cancellationToken);
        return TypedResults.Ok(new SetProfileResult(updated, unknown));
    }

    private static async Task<Ok<ModelVersion>> ResolveAlias(string name, string alias, IModelRegistry registry, CancellationToken cancellationToken) =>
        TypedResults.Ok(await registry.ResolveAsync(new ModelReference(name, null, alias), cancellationToken)
            ?? throw KilnException.NotFound("Alias", $"{name}@{alias}"));

    private static async Task<Ok<ModelVersion>> SetAlias(string name, string alias, SetAliasRequest request, IModelRegistry registry, HttpContext context, CancellationToken cancellationToken)
    {
        var before = await AliasChange.CurrentAsync(registry, name, alias, cancellationToken);
        await registry.SetAliasAsync(name, alias, request.Version, cancellationToken);
        AliasChange.Record(context, name, alias, before, request.Version);
        return TypedResults.Ok((await registry.GetVersionAsync(name, request.Version, cancellationToken))!);
    }

    private static async Task<Ok<IReadOnlyList<AliasMove>>> AliasHistory(string name, IModelRegistry registry, CancellationToken cancellationToken) =>
        await registry.GetModelAsync(name, cancellationToken) is null
            ? throw KilnException.NotFound("Model", name)
            : TypedResults.Ok(await registry.AliasHistoryAsync(name, cancellationToken));

    private static async Task<NoContent> DeleteAlias(string name, string alias, IModelRegistry registry, HttpContext context, CancellationToken cancellationToken)
    {
        var before = await AliasChange.CurrentAsync(registry, name, alias, cancellationToken);
        if (!await registry.DeleteAliasAsync(name, alias, cancellationToken))
        {
            throw KilnException.NotFound("Alias", $"{name}@{alias}");
        }

        AliasChange.Record(context, name, alias, before, null);
        return TypedResults.NoContent();
    }
}
