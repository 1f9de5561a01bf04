using Kiln.Core;
using Kiln.Core.Api;
using Kiln.Core.Errors;
using Kiln.Core.Packaging;
using Kiln.Core.Security;
using Kiln.Core.Tracking;
using Kiln.Server.Configuration;
using Kiln.Server.Security;
using Kiln.Server.Uploads;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Kiln.Server.Audit;

namespace Kiln.Server.Endpoints;

/// <summary>Runs: params, metric series, tags, dataset inputs, artifacts, search.</summary>
internal static class RunEndpoints
{
    public static IEndpointRouteBuilder MapRunEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/runs").WithTags("Tracking");
        group.MapPost("", Create).RequireRole(KilnRole.Deployer);
        group.MapPost("/search", Search).RequireRole(KilnRole.Viewer).NotAudited()
            .WithSummary("Search runs: filter like \"metrics.auc > 0.8 and params.algorithm = 'lightgbm'\", orderBy like [\"metrics.auc DESC\"].");
        group.MapGet("/{id}", Get).RequireRole(KilnRole.Viewer);
        group.MapPatch("/{id}", Update).RequireRole(KilnRole.Deployer);
        group.MapPost("/{id}/log", Log).RequireRole(KilnRole.Deployer).WithSummary("Log params (write-once), metric points and tags in one batch.");
        group.MapPost("/{id}/inputs", LogInputs).RequireRole(KilnRole.Deployer);
        group.MapGet("/{id}/metrics/{key}", MetricHistory).RequireRole(KilnRole.Viewer);
        group.MapGet("/{id}/artifacts", ListArtifacts).RequireRole(KilnRole.Viewer);
        group.MapPut("/{id}/artifacts/{**path}", UploadArtifact).RequireRole(KilnRole.Deployer).DisableAntiforgery();
        group.MapGet("/{id}/artifacts/{**path}", DownloadArtifact).RequireRole(KilnRole.Viewer);
        return app;
    }

    private static async Task<Created<Run>> Create(CreateRunRequest request, ITrackingStore store, CancellationToken cancellationToken)
    {
        string experimentId;
        if (request.ExperimentId is { } id)
        {
            experimentId = id;
        }
        else if (request.ExperimentName is { } name)
        {
            experimentId = (await store.GetExperimentByNameAsync(name, cancellationToken) ?? await CreateOrReadAsync(store, name, cancellationToken)).Id;
        }
        else
        {
            throw KilnException.Invalid("experimentId", "give experimentId or experimentName.");
        }

        var run = await store.CreateRunAsync(experimentId, request.Name, request.Tags, cancellationToken);
        return TypedResults.Created($"/api/runs/{run.Id}", run);
    }

    private static async Task<Experiment> CreateOrReadAsync(ITrackingStore store, string name, CancellationToken cancellationToken)
    {
        try
        {
            return await store.CreateExperimentAsync(name, null, cancellationToken);
        }
        catch (KilnException e) when (e.Kind == KilnErrorKind.Conflict)
        {
            // Another client created it at the same moment.
            return (await store.GetExperimentByNameAsync(name, cancellationToken))!;
        }
    }

    private static async Task<Ok<RunPage>> Search(RunQuery query, ITrackingStore store, CancellationToken cancellationToken) =>
        TypedResults.Ok(await store.SearchRunsAsync(query, cancellationToken));

    private static async Task<Ok<Run>> Get(string id, ITrackingStore store, CancellationToken cancellationToken) =>
        TypedResults.Ok(await store.GetRunAsync(id, cancellationToken) ?? throw KilnException.NotFound("Run", id));

    private static async Task<Ok<Run>> Update(string id, UpdateRunRequest request, ITrackingStore store, CancellationToken cancellationToken) =>
        TypedResults.Ok(await store.UpdateRunAsync(id, request.Status, request.Name, cancellationToken));

    private static async Task<NoContent> Log(string id, RunLog log, ITrackingStore store, CancellationToken cancellationToken)
    {
        var count = (log.Metrics?.Count ?? 0) + (log.Params?.Count ?? 0) + (log.Tags?.Count ?? 0);
        if (count > 10_000)
        {
            throw KilnException.Invalid("body", "a batch may carry at most 10000 metrics, params and tags together.");
        }

        await store.LogAsync(id, log, cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<NoContent> LogInputs(string id, LogInputsRequest request, ITrackingStore store, CancellationToken cancellationToken)
    {
        await store.LogInputsAsync(id, request.Datasets ?? throw KilnException.Invalid("datasets", "is required."), cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<IReadOnlyList<MetricPoint>>> MetricHistory(string id, string key, ITrackingStore store, CancellationToken cancellationToken) =>
        TypedResults.Ok(await store.GetMetricHistoryAsync(id, key, cancellationToken));

    private static async Task<Ok<IReadOnlyList<RunArtifact>>> ListArtifacts(string id, ITrackingStore store, CancellationToken cancellationToken) =>
        TypedResults.Ok(await store.ListArtifactsAsync(id, cancellationToken));

    private static async Task<Created<RunArtifact>> UploadArtifact(
        string id, string path, HttpContext context, ITrackingStore store, IArtifactStore artifacts, IOptions<KilnOptions> options, CancellationToken cancellationToken)
    {
        var relative = PackagePath.Validate(path);
        var limit = options.Value.Serving.MaxUploadBytes;
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
        {
            feature.MaxRequestBodySize = limit;
        }

        if (context.Request.ContentLength > limit)
        {
            throw new KilnException(KilnErrorKind.PayloadTooLarge, $"The artifact is larger than the {limit} bytes this server accepts.");
        }

        _ = await store.GetRunAsync(id, cancellationToken) ?? throw KilnException.NotFound("Run", id);
        var (sha, size) = await artifacts.PutAsync(context.Request.Body, cancellationToken);
        var artifact = new RunArtifact(relative, size, sha);
        await store.AddArtifactAsync(id, artifact, cancellationToken);
        return TypedResults.Created($"/api/runs/{id}/artifacts/{relative}", artifact);
    }

    internal static async Task<FileStreamHttpResult> DownloadArtifact(string id, string path, ITrackingStore store, IArtifactStore artifacts, CancellationToken cancellationToken)
    {
        var artifact = (await store.ListArtifactsAsync(id, cancellationToken)).FirstOrDefault(a => a.Path == path)
            ?? throw KilnException.NotFound("Artifact", path);
        return TypedResults.File(await artifacts.OpenAsync(artifact.Sha256, cancellationToken), "application/octet-stream", Path.GetFileName(artifact.Path));
    }
}
