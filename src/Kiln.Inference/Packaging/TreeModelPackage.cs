using Kiln.Core.Packaging;
using Kiln.Inference.Decoding;
using Kiln.Inference.Runtime;
using Kiln.Inference.Writers;

namespace Kiln.Inference.Packaging;

/// <summary>
/// The package of a tree model in its library's own format (XGBoost, LightGBM), served by the compiled engine: the
/// signature the model gives, renamed by an MLflow signature or the user's feature names; the model run once on a
/// synthesized example; and the manifest, with the engine, the format's own facts and the MLflow metadata.
/// </summary>
internal static class TreeModelPackage
{
    public static ImportedPackage Create(
        string flavor,
        string modelFile,
        IReadOnlyList<string> files,
        ImportOptions options,
        MlflowModelFile? mlflow,
        ModelSignature signature,
        Func<ModelSignature, IModelRuntime> load,
        IReadOnlyDictionary<string, string> formatMetadata)
    {
        if (mlflow?.SignatureInputs is { } mlflowInputs)
        {
            signature = SignatureReconciler.ApplyMlflowInputs(signature, MlflowSchema.Parse(mlflowInputs, "MLmodel signature.inputs"));
        }

        if (options.FeatureNames is { Count: > 0 } featureNames)
        {
            signature = SignatureReconciler.ApplyFeatureNames(signature, featureNames);
        }

        using var runtime = load(signature);
        var example = ExampleSynthesizer.Synthesize(new InputLayout(signature));
        runtime.Predict(example, null);
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        if (runtime is IReportsModelEngine reports)
        {
            foreach (var (key, value) in reports.Engine.Metadata())
            {
                metadata[key] = value;
            }
        }

        foreach (var (key, value) in formatMetadata.Concat(mlflow?.Metadata ?? new Dictionary<string, string>()))
        {
            metadata.TryAdd(key, value);
        }

        var manifest = new ModelManifest
        {
            Flavor = flavor,
            ModelFile = modelFile,
            Signature = signature,
            InputExample = V2RequestWriter.ToJson(example),
            Metadata = metadata,
            Source = options.Source,
            RunId = options.RunId ?? mlflow?.RunId,
        };
        return new ImportedPackage(manifest, files);
    }
}
