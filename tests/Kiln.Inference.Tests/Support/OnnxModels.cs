using System.Collections.Concurrent;
using Kiln.Core.Packaging;
using Kiln.Core.Tensors;
using Kiln.Inference.Decoding;
using Kiln.Inference.Onnx;
using Kiln.Inference.Packaging;
using Kiln.Inference.Runtime;

namespace Kiln.Inference.Tests.Support;

/// <summary>A generated model imported the way a user imports it, then loaded the way the server loads it.</summary>
internal sealed class ServedOnnxModel : IDisposable
{
    public ServedOnnxModel(ModelManifest manifest, IModelRuntime runtime)
    {
        Manifest = manifest;
        Runtime = runtime;
        Layout = new InputLayout(runtime.Signature);
    }

    public ModelManifest Manifest { get; }

    public IModelRuntime Runtime { get; }

    public InputLayout Layout { get; }

    public InferenceResult Score(DecodedRequest request) => Runtime.Predict(request.Batch, request.Outputs);

    /// <summary>Imports <paramref name="name"/> (a file or MLflow directory under models/) from a temp copy and loads it.</summary>
    public static ServedOnnxModel Import(string name, ImportOptions? options = null)
    {
        using var directory = new TempDirectory().WithModel(name);
        var package = ModelPackageImporter.Import(directory.Path, options ?? new ImportOptions());
        var runtime = new OnnxRuntimeFactory().Load(package.Manifest, path => File.OpenRead(Path.Combine(directory.Path, path)));
        return new ServedOnnxModel(package.Manifest, runtime);
    }

    public void Dispose() => Runtime.Dispose();
}

/// <summary>Loads each generated model once per test class and disposes them all at the end.</summary>
public sealed class OnnxModelsFixture : IDisposable
{
    /// <summary>The bank features of gbt_sklearn.onnx, in column order (its metadata feature_names).</summary>
    public static readonly IReadOnlyList<string> GbtFeatureNames = ["age", "balance", "day", "duration", "campaign", "pdays", "previous"];

    private readonly ConcurrentDictionary<string, Lazy<ServedOnnxModel>> _models = new(StringComparer.Ordinal);

    /// <summary>The model named as in expected.json, imported with no options.</summary>
    internal ServedOnnxModel Plain(string model) => Get(model + ".onnx", null);

    /// <summary>The model as record-style protocols see it: gbt_sklearn with its feature names applied.</summary>
    internal ServedOnnxModel WithColumns(string model) =>
        model == "gbt_sklearn" ? Get("gbt_sklearn.onnx", GbtFeatureNames) : Plain(model);

    private ServedOnnxModel Get(string file, IReadOnlyList<string>? featureNames)
    {
        var key = featureNames is null ? file : file + "|" + string.Join(",", featureNames);
        return _models.GetOrAdd(key, _ => new Lazy<ServedOnnxModel>(() => ServedOnnxModel.Import(file, new ImportOptions(featureNames)))).Value;
    }

    public void Dispose()
    {
        foreach (var model in _models.Values.Where(m => m.IsValueCreated))
        {
            model.Value.Dispose();
        }
    }
}
