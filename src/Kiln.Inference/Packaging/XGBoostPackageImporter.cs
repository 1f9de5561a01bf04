using System.Text.Json;
using Kiln.Core;
using Kiln.Core.Packaging;
using Kiln.Inference.Trees.XGBoost;

namespace Kiln.Inference.Packaging;

/// <summary>
/// Imports an XGBoost model saved in XGBoost's JSON or UBJSON format (<c>save_model("model.json")</c> or <c>"model.ubj"</c>),
/// alone or in an MLflow model directory with the xgboost flavor: read, compiled, run once on a synthesized example,
/// and described in the manifest (objective, XGBoost version, the compiled form).
/// </summary>
internal static class XGBoostPackageImporter
{
    /// <summary>
    /// The package's XGBoost model file when it has no <c>.onnx</c> file: its one <c>.ubj</c> file, or its one <c>.json</c>
    /// file if that JSON is an XGBoost model; else null.
    /// </summary>
    public static string? SingleModelFile(string directory, string[] files)
    {
        if (files.Any(f => f.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase)))
        {
            return null;
        }

        var ubjson = files.Where(f => f.EndsWith(".ubj", StringComparison.OrdinalIgnoreCase)).ToArray();
        var json = files.Where(f => f.EndsWith(".json", StringComparison.OrdinalIgnoreCase)).ToArray();
        if (ubjson.Length == 1 && json.Length == 0)
        {
            return ubjson[0];
        }

        if (json.Length != 1)
        {
            return null;
        }

        try
        {
            using var stream = File.OpenRead(Path.Combine(directory, json[0]));
            using var document = JsonDocument.Parse(stream, new JsonDocumentOptions { MaxDepth = 256 });
            return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("learner", out _) ? json[0] : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// Imports the model file, alone or as an MLflow model directory saved with the xgboost flavor (whose signature
    /// names the columns, and whose run id and metadata are kept).
    /// </summary>
    public static ImportedPackage Import(string directory, string modelFile, IReadOnlyList<string> files, ImportOptions options, MlflowModelFile? mlflow = null)
    {
        XGBoostModel model;
        using (var stream = File.OpenRead(Path.Combine(directory, modelFile)))
        {
            model = XGBoostRuntimeFactory.ReadModel(stream, modelFile);
        }

        var facts = new Dictionary<string, string>(StringComparer.Ordinal) { ["xgboost.objective"] = model.Objective.Name };
        if (model.Version is { } version)
        {
            facts["xgboost.version"] = version;
        }

        return TreeModelPackage.Create(
            ModelFlavors.XGBoost, modelFile, files, options, mlflow, XGBoostRuntime.SignatureOf(model), signature => new XGBoostRuntime(model, signature), facts);
    }
}
