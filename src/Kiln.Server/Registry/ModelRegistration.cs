using Kiln.Core;
using Kiln.Core.Packaging;
using Kiln.Core.Registry;
using Kiln.Inference.Packaging;
using Kiln.Inference.Runtime;
using Kiln.Server.Uploads;

namespace Kiln.Server.Registry;

/// <summary>
/// Registers an uploaded package as a new version: validates it (import runs the model on its
/// example), stores every file by content, then records the version and its alias in one transaction.
/// </summary>
internal sealed class ModelRegistration(IModelRegistry registry, IArtifactStore artifacts, IEnumerable<IModelRuntimeFactory> factories)
{
    public async Task<ModelVersion> RegisterAsync(string name, UploadedPackage upload, CancellationToken cancellationToken, IReadOnlyDictionary<string, string>? tags = null)
    {
        ModelName.Validate(name, "name");
        var alias = upload.Field("alias");
        if (alias is not null)
        {
            ModelName.Validate(alias, "alias");
        }

        var featureNames = upload.Field("featureNames")?.Split(',', StringSplitOptions.TrimEntries);
        var options = new ImportOptions(featureNames, upload.Field("source"), upload.Field("runId"));
        var imported = await Task.Run(() => ModelPackageImporter.Import(upload.Directory, options, factories), cancellationToken);

        var files = new List<ArtifactFile>(imported.Files.Count);
        foreach (var path in imported.Files)
        {
            await using var content = File.OpenRead(Path.Combine(upload.Directory, path));
            var (sha, size) = await artifacts.PutAsync(content, cancellationToken);
            files.Add(new ArtifactFile(path, sha, size));
        }

        var manifest = imported.Manifest with { Files = files };
        return await registry.CreateVersionAsync(new NewModelVersion(name, manifest, upload.Field("description"), alias, tags), cancellationToken);
    }
}
