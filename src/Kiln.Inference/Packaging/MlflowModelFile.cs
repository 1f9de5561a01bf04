using Kiln.Core;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Kiln.Inference.Packaging;

/// <summary>
/// What Kiln reads from an MLflow <c>MLmodel</c> file: the flavor Kiln serves it with (<c>onnx</c>; <c>xgboost</c>
/// for models saved as JSON or UBJSON; <c>lightgbm</c> for boosters, saved in LightGBM's text format) and its model
/// file, the signature, the input example and metadata.
/// </summary>
internal sealed record MlflowModelFile(
    string Flavor,
    string ModelFile,
    string? SignatureInputs,
    string? SignatureOutputs,
    string? InputExamplePath,
    string? RunId,
    IReadOnlyDictionary<string, string> Metadata)
{
    public const string FileName = "MLmodel";

    public static MlflowModelFile Parse(string yaml)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            throw KilnException.Invalid(FileName, $"is not valid YAML (line {e.Start.Line}): {e.Message}");
        }

        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            throw KilnException.Invalid(FileName, "must be a YAML mapping.");
        }

        var flavors = Mapping(root, "flavors") ?? throw KilnException.Invalid(FileName, "has no 'flavors'.");
        var (flavor, section) = Mapping(flavors, "onnx") is { } onnx ? ("onnx", onnx)
            : Mapping(flavors, "xgboost") is { } xgboost ? ("xgboost", xgboost)
            : Mapping(flavors, "lightgbm") is { } lightgbm ? ("lightgbm", lightgbm)
            : throw KilnException.Invalid(FileName, $"has no 'onnx', 'xgboost' or 'lightgbm' flavor (flavors: {string.Join(", ", flavors.Children.Keys)}); Kiln imports MLflow models saved with mlflow.onnx, with mlflow.xgboost in the json or ubj model format, or with mlflow.lightgbm from a Booster.");
        var modelFile = Scalar(section, "data") ?? throw KilnException.Invalid(FileName, $"the {flavor} flavor has no 'data' (the model file).");
        if (flavor == "xgboost" && Scalar(section, "model_format") is { } format && format is not ("json" or "ubj"))
        {
            throw KilnException.Invalid(FileName, $"the xgboost flavor's model_format is '{format}'; Kiln reads XGBoost's json and ubj formats (log the model with mlflow.xgboost.log_model(..., model_format=\"ubj\") or \"json\").");
        }

        if (flavor == "lightgbm" && modelFile.EndsWith(".pkl", StringComparison.OrdinalIgnoreCase))
        {
            throw KilnException.Invalid(FileName, $"the lightgbm flavor's model is a pickled scikit-learn estimator ('{modelFile}', model_class {Scalar(section, "model_class") ?? "unknown"}); Kiln reads LightGBM's text format: log the booster instead (mlflow.lightgbm.log_model(model.booster_, ...)).");
        }
        var signature = Mapping(root, "signature");
        var example = Mapping(root, "saved_input_example_info");
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        if (Mapping(root, "metadata") is { } meta)
        {
            foreach (var (key, value) in meta.Children)
            {
                if (key is YamlScalarNode k && value is YamlScalarNode v && k.Value is not null)
                {
                    metadata[k.Value] = v.Value ?? "";
                }
            }
        }

        if (Scalar(root, "mlflow_version") is { } version)
        {
            metadata["mlflow_version"] = version;
        }

        return new MlflowModelFile(
            flavor,
            modelFile,
            signature is null ? null : Scalar(signature, "inputs"),
            signature is null ? null : Scalar(signature, "outputs"),
            example is null ? null : Scalar(example, "artifact_path"),
            Scalar(root, "run_id"),
            metadata);
    }

    private static YamlMappingNode? Mapping(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value as YamlMappingNode : null;

    private static string? Scalar(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) && value is YamlScalarNode scalar
            && scalar.Value is { Length: > 0 } text && text != "null" ? text : null;
}
