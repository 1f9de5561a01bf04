using System.Text.Json;
using Kiln.Core;
using Kiln.Core.Packaging;
using Kiln.Inference.Decoding;
using Kiln.Inference.Trees;
using Kiln.Inference.Trees.XGBoost;
using Kiln.Inference.Writers;

namespace Kiln.Inference.Packaging;

/// <summary>
/// Imports an XGBoost model saved in XGBoost's JSON format (<c>save_model("model.json")</c>): read, compiled, run once on a
/// synthesized example, and described in the manifest (objective, XGBoost version, the compiled form).
/// </summary>
internal static class XGBoostPackageImporter
{
    /// <summary>The package's XGBoost model file: its one <c>.json</c> file when it has no <c>.onnx</c> file and that JSON is an XGBoost model; else null.</summary>
    public static string? SingleModelFile(string directory, string[] files)
    {
        if (files.Any(f => f.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase)))
        {
            return null;
        }

        var json = files.Where(f => f.EndsWith(".json", StringComparison.OrdinalIgnoreCase)).ToArray();
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

    public static ImportedPackage Import(string directory, string modelFile, IReadOnlyList<string> files, ImportOptions options)
    {
        XGBoostModel model;
        using (var stream = File.OpenRead(Path.Combine(directory, modelFile)))
        {
            model = XGBoostRuntimeFactory.ReadModel(stream, modelFile);
        }

        var signature = XGBoostRuntime.SignatureOf(model);
        if (options.FeatureNames is { Count: > 0 } featureNames)
        {
            signature = SignatureReconciler.ApplyFeatureNames(signature, featureNames);
        }

        using var runtime = new XGBoostRuntime(model, signature);
        var example = ExampleSynthesizer.Synthesize(new InputLayout(signature));
        runtime.Predict(example, null);
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [OnnxTreeEngine.EngineKey] = OnnxTreeEngine.CompiledEngine,
            [OnnxTreeEngine.ReasonKey] = runtime.Description,
            ["xgboost.objective"] = model.Objective.Name,
        };
        if (model.Version is { } version)
        {
            metadata["xgboost.version"] = version;
        }

        var manifest = new ModelManifest
        {
            Flavor = ModelFlavors.XGBoost,
            ModelFile = modelFile,
            Signature = signature,
            InputExample = V2RequestWriter.ToJson(example),
            Metadata = metadata,
            Source = options.Source,
            RunId = options.RunId,
        };
        return new ImportedPackage(manifest, files);
    }
}
