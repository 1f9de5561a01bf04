using Kiln.Core;
using Kiln.Core.Packaging;
using Kiln.Core.Registry;
using Kiln.Core.Tracking;
using Kiln.Server.Registry;
using Kiln.Server.Uploads;

namespace Kiln.Server.Mlflow;

/// <summary>
/// Turns <c>model-versions/create</c> with a run source into a real, deployable Kiln version: the
/// run's artifacts under the source folder are copied from the artifact store into a staging
/// folder and registered exactly as an uploaded MLflow model directory would be.
/// </summary>
internal sealed class MlflowRunModelImporter(ITrackingStore store, IArtifactStore artifacts, ModelRegistration registration, PackageUploadReader uploads)
{
    public async Task<ModelVersion> ImportAsync(string name, CreateModelVersion request, CancellationToken cancellationToken)
    {
        var (runId, folder) = MlflowPaths.Source(request.Source);
        if (!string.IsNullOrEmpty(request.RunId) && request.RunId != runId)
        {
            throw KilnException.Invalid("run_id", $"'{request.RunId}' is not the run the source names ('{runId}').");
        }

        var run = await store.GetRunAsync(runId, cancellationToken) ?? throw KilnException.NotFound("Run", runId);
        var prefix = folder.Length == 0 ? "" : folder + "/";
        var files = (await store.ListArtifactsAsync(run.Id, cancellationToken)).Where(a => a.Path.StartsWith(prefix, StringComparison.Ordinal)).ToArray();
        if (files.Length == 0)
        {
            throw KilnException.Invalid("source", $"run '{run.Id}' has no artifacts under '{folder}'.");
        }

        var directory = Path.Combine(uploads.StagingRoot(), "mlflow-" + Guid.NewGuid().ToString("N"));
        var fields = new Dictionary<string, string> { ["source"] = request.Source!, ["runId"] = run.Id };
        if (request.Description is { } description)
        {
            fields["description"] = description;
        }

        using var package = new UploadedPackage(directory, fields);
        foreach (var file in files)
        {
            // The paths were validated when logged; joining them under the staging folder stays inside it.
            var target = Path.Combine(directory, PackagePath.Validate(file.Path[prefix.Length..]));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            await using var source = await artifacts.OpenAsync(file.Sha256, cancellationToken);
            await using var output = File.Create(target);
            await source.CopyToAsync(output, cancellationToken);
        }

        return await registration.RegisterAsync(name, package, cancellationToken, MlflowHttp.Tags(request.Tags));
    }
}
