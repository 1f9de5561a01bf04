using System.Security.Cryptography;
using Kiln.Client;
using Kiln.Core.Registry;
using Kiln.Inference.MlNet;
using Kiln.Inference.Onnx;
using Kiln.Inference.Runtime;
using Kiln.Inference.Trees.LightGbm;
using Kiln.Inference.Trees.XGBoost;

namespace Kiln.Cli.Batch;

/// <summary>
/// A registered version loaded in this process: its package files fetched from the server once into a cache keyed
/// by their SHA-256 (checked on arrival), then opened with the runtime of the model's flavor, as the server would.
/// </summary>
internal static class LocalModel
{
    private static readonly IModelRuntimeFactory[] Factories = [new OnnxRuntimeFactory(), new XGBoostRuntimeFactory(), new LightGbmRuntimeFactory(), new MlNetRuntimeFactory()];

    /// <summary>The cache folder: <c>$KILN_CACHE_DIR</c>, else <c>$XDG_CACHE_HOME/kiln/models</c>, else <c>~/.cache/kiln/models</c>.</summary>
    public static string CacheDirectory =>
        Environment.GetEnvironmentVariable("KILN_CACHE_DIR") is { Length: > 0 } configured ? configured
        : Path.Combine(
            Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } xdg ? xdg : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache"),
            "kiln",
            "models");

    public static async Task<IModelRuntime> LoadAsync(KilnClient client, ModelVersion version, CancellationToken cancellationToken)
    {
        var manifest = version.Manifest;
        var factory = Factories.FirstOrDefault(f => f.Flavor == manifest.Flavor)
            ?? throw new Core.KilnException($"model: {version.ModelName}/{version.Version} has flavor '{manifest.Flavor}', which kiln batch cannot load.");
        var cache = CacheDirectory;
        Directory.CreateDirectory(cache);
        foreach (var file in manifest.Files)
        {
            await FetchAsync(client, version, file, cache, cancellationToken);
        }

        return factory.Load(manifest, path =>
        {
            var file = manifest.Files.FirstOrDefault(f => f.Path == path) ?? throw new Core.KilnException($"model: the package has no file '{path}'.");
            return File.OpenRead(Path.Combine(cache, file.Sha256));
        });
    }

    private static async Task FetchAsync(KilnClient client, ModelVersion version, Core.Packaging.ArtifactFile file, string cache, CancellationToken cancellationToken)
    {
        var path = Path.Combine(cache, file.Sha256);
        if (File.Exists(path) && new FileInfo(path).Length == file.Size)
        {
            return;
        }

        var partial = $"{path}.{Environment.ProcessId}.partial";
        try
        {
            await using (var stream = File.Create(partial))
            {
                await client.DownloadVersionFileAsync(version.ModelName, version.Version, file.Path, stream, cancellationToken);
            }

            string digest;
            await using (var stream = File.OpenRead(partial))
            {
                digest = Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken));
            }

            if (digest != file.Sha256)
            {
                throw new Core.KilnException($"model: file '{file.Path}' arrived with SHA-256 {digest}, not the registered {file.Sha256}; not using it.");
            }

            File.Move(partial, path, overwrite: true);
        }
        finally
        {
            File.Delete(partial);
        }
    }
}
