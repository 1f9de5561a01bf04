using Kiln.Core;
using Kiln.Core.Errors;
using Kiln.Core.Packaging;
using Kiln.Core.Security;
using Kiln.Core.Tracking;
using Kiln.Server.Configuration;
using Kiln.Server.Security;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Kiln.Server.Mlflow;

/// <summary>
/// Run artifacts the MLflow way: <c>artifacts/list</c> on the tracking API, and the proxied
/// artifact routes (mlflow_artifacts.proto) with paths <c>&lt;experiment_id&gt;/&lt;run_id&gt;/artifacts/&lt;path&gt;</c>.
/// They read and write the same run artifacts as Kiln's <c>/api/runs/{id}/artifacts</c>.
/// </summary>
internal static class MlflowArtifactEndpoints
{
    private static readonly MlflowJsonContext Json = MlflowJsonContext.Default;

    public static RouteGroupBuilder MapMlflowArtifactListEndpoint(this RouteGroupBuilder mlflow)
    {
        mlflow.MapGet("/artifacts/list", List).RequireRole(KilnRole.Viewer);
        return mlflow;
    }

    public static RouteGroupBuilder MapMlflowProxiedArtifactEndpoints(this RouteGroupBuilder artifacts)
    {
        artifacts.MapGet("/artifacts", ListProxied).RequireRole(KilnRole.Viewer);
        artifacts.MapGet("/artifacts/{**path}", Download).RequireRole(KilnRole.Viewer);
        artifacts.MapPut("/artifacts/{**path}", Upload).RequireRole(KilnRole.Deployer).DisableAntiforgery();
        return artifacts;
    }

    private static async Task<JsonHttpResult<ListArtifactsResponse>> List(
        [FromQuery(Name = "run_id")] string? runId, [FromQuery(Name = "run_uuid")] string? runUuid, [FromQuery(Name = "path")] string? path,
        ITrackingStore store, CancellationToken cancellationToken)
    {
        var directory = MlflowPaths.Relative(path, "path", optional: true);
        var run = await MlflowRunEndpoints.RequireRunAsync(store, runId ?? runUuid, cancellationToken);
        var files = Children(await store.ListArtifactsAsync(run.Id, cancellationToken), directory, fullPaths: true);
        return MlflowHttp.Json(new ListArtifactsResponse(MlflowWire.ArtifactUri(run.ExperimentId, run.Id), files, null), Json.ListArtifactsResponse);
    }

    private static async Task<JsonHttpResult<ListArtifactsResponse>> ListProxied([FromQuery(Name = "path")] string? path, ITrackingStore store, CancellationToken cancellationToken)
    {
        var (run, directory) = await ResolveAsync(store, path, "path", cancellationToken);
        var files = Children(await store.ListArtifactsAsync(run.Id, cancellationToken), directory, fullPaths: false);
        return MlflowHttp.Json(new ListArtifactsResponse(null, files, null), Json.ListArtifactsResponse);
    }

    private static async Task<FileStreamHttpResult> Download(string path, ITrackingStore store, IArtifactStore artifacts, CancellationToken cancellationToken)
    {
        var (run, relative) = await ResolveAsync(store, path, "path", cancellationToken);
        var artifact = (await store.ListArtifactsAsync(run.Id, cancellationToken)).FirstOrDefault(a => a.Path == relative)
            ?? throw KilnException.NotFound("Artifact", relative);
        return TypedResults.File(await artifacts.OpenAsync(artifact.Sha256, cancellationToken), "application/octet-stream", Path.GetFileName(artifact.Path));
    }

    private static async Task<JsonHttpResult<MlflowEmpty>> Upload(
        string path, HttpContext context, ITrackingStore store, IArtifactStore artifacts, IOptions<KilnOptions> options, CancellationToken cancellationToken)
    {
        var (run, relative) = await ResolveAsync(store, path, "path", cancellationToken);
        if (relative.Length == 0)
        {
            throw KilnException.Invalid("path", "names a run's artifact folder, not a file.");
        }

        var limit = options.Value.Serving.MaxUploadBytes;
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
        {
            feature.MaxRequestBodySize = limit;
        }

        if (context.Request.ContentLength > limit)
        {
            throw new KilnException(KilnErrorKind.PayloadTooLarge, $"The artifact is larger than the {limit} bytes this server accepts.");
        }

        var (sha, size) = await artifacts.PutAsync(context.Request.Body, cancellationToken);
        await store.AddArtifactAsync(run.Id, new RunArtifact(relative, size, sha), cancellationToken);
        return MlflowHttp.Empty;
    }

    private static async Task<(Run Run, string Path)> ResolveAsync(ITrackingStore store, string? path, string field, CancellationToken cancellationToken)
    {
        var (experimentId, runId, relative) = MlflowPaths.Proxied(path, field);
        var run = await store.GetRunAsync(runId, cancellationToken);
        if (run is null || run.ExperimentId != experimentId)
        {
            throw KilnException.NotFound("Run", $"{experimentId}/{runId}");
        }

        return (run, relative);
    }

    /// <summary>The files and folders directly inside <paramref name="directory"/> of a run's flat artifact list.</summary>
    public static MlflowFileInfo[] Children(IReadOnlyList<RunArtifact> artifacts, string directory, bool fullPaths)
    {
        var prefix = directory.Length == 0 ? "" : directory + "/";
        var result = new SortedDictionary<string, MlflowFileInfo>(StringComparer.Ordinal);
        foreach (var artifact in artifacts.Where(a => a.Path.StartsWith(prefix, StringComparison.Ordinal)))
        {
            var rest = artifact.Path[prefix.Length..];
            var slash = rest.IndexOf('/', StringComparison.Ordinal);
            var name = slash < 0 ? rest : rest[..slash];
            var shown = fullPaths ? prefix + name : name;
            result.TryAdd(name, slash < 0 ? new MlflowFileInfo(shown, false, artifact.Size) : new MlflowFileInfo(shown, true, null));
        }

        return result.Values.ToArray();
    }
}
