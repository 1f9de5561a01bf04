using Kiln.Core;
using Kiln.Core.Packaging;
using Kiln.Core.Registry;
using Kiln.Inference.Decoding;
using Kiln.Inference.Runtime;

namespace Kiln.Inference.Serving;

/// <summary>Loads a registered version from the artifact store into its flavor's runtime and warms it on its input example.</summary>
public sealed class ModelLoader
{
    private readonly IArtifactStore _artifacts;
    private readonly Dictionary<string, IModelRuntimeFactory> _factories;

    public ModelLoader(IArtifactStore artifacts, IEnumerable<IModelRuntimeFactory> factories)
    {
        _artifacts = artifacts;
        _factories = factories.ToDictionary(f => f.Flavor, StringComparer.Ordinal);
    }

    public LoadedModel Load(ModelVersion version)
    {
        var manifest = version.Manifest;
        if (!_factories.TryGetValue(manifest.Flavor, out var factory))
        {
            throw KilnException.Conflict($"Model {version.ModelName}/{version.Version} has flavor '{manifest.Flavor}', which this server cannot load.");
        }

        var runtime = factory.Load(manifest, path => OpenFile(manifest, path));
        var model = new LoadedModel(version.ModelName, version.Version, runtime);
        try
        {
            Warm(model, manifest);
            return model;
        }
        catch
        {
            model.Release();
            throw;
        }
    }

    /// <summary>One prediction on the input example, so the first real request finds every lazy path already taken.</summary>
    private static void Warm(LoadedModel model, ModelManifest manifest)
    {
        if (manifest.InputExample is not { } example)
        {
            return;
        }

        var request = V2RequestDecoder.Decode(System.Text.Encoding.UTF8.GetBytes(example.GetRawText()), model.Layout);
        model.Runtime.Predict(request.Batch, null);
    }

    private Stream OpenFile(ModelManifest manifest, string path)
    {
        var file = manifest.Files.FirstOrDefault(f => f.Path == path)
            ?? throw KilnException.Conflict($"The package has no file '{path}'.");
        // Runtime factories read package files synchronously (ONNX Runtime and ML.NET take a whole
        // model at once), and a load already runs on a pool thread of its own (DeploymentManager),
        // so waiting here for a remote store to answer holds only that thread.
        return _artifacts.OpenAsync(file.Sha256, CancellationToken.None).GetAwaiter().GetResult();
    }
}
