using System.Text;
using System.Text.Json;
using Kiln.Core;
using Kiln.Core.Packaging;
using Kiln.Core.Tensors;
using Kiln.Inference.Decoding;
using Kiln.Inference.Writers;
using Kiln.Inference.Onnx;
using Kiln.Inference.Runtime;
using Kiln.Inference.Trees;
using Microsoft.ML.OnnxRuntime;

namespace Kiln.Inference.Packaging;

/// <summary>
/// Turns an uploaded folder into a validated model package: a plain <c>.onnx</c> file, an XGBoost or LightGBM model
/// file, or an MLflow model directory with the onnx, xgboost or lightgbm flavor. The graph is loaded, its signature read and reconciled
/// with the MLflow signature and feature names, and the model is run once on its input example,
/// so that a package that cannot serve is rejected here with a precise message, never at first request.
/// </summary>
public static class ModelPackageImporter
{
    public static ImportedPackage Import(string directory, ImportOptions options, IEnumerable<IModelRuntimeFactory>? factories = null)
    {
        var files = Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(directory, f).Replace('\\', '/'))
            .Order(StringComparer.Ordinal)
            .ToArray();
        if (files.Contains(KilnPackageReader.ManifestFileName))
        {
            return KilnPackageReader.Read(directory, files, options, factories ?? [new OnnxRuntimeFactory()]);
        }

        if (!files.Contains(MlflowModelFile.FileName) && XGBoostPackageImporter.SingleModelFile(directory, files) is { } xgboost)
        {
            return XGBoostPackageImporter.Import(directory, xgboost, files, options);
        }

        if (!files.Contains(MlflowModelFile.FileName) && LightGbmPackageImporter.SingleModelFile(directory, files) is { } lightgbm)
        {
            return LightGbmPackageImporter.Import(directory, lightgbm, files, options);
        }

        var mlflow = files.Contains(MlflowModelFile.FileName)
            ? MlflowModelFile.Parse(File.ReadAllText(Path.Combine(directory, MlflowModelFile.FileName)))
            : null;
        var modelFile = mlflow?.ModelFile ?? SingleOnnxFile(files);
        if (!files.Contains(modelFile))
        {
            throw KilnException.Invalid(MlflowModelFile.FileName, $"names model file '{modelFile}', which is not in the package.");
        }

        if (mlflow?.Flavor == ModelFlavors.XGBoost)
        {
            return XGBoostPackageImporter.Import(directory, modelFile, files, options, mlflow);
        }

        if (mlflow?.Flavor == ModelFlavors.LightGbm)
        {
            return LightGbmPackageImporter.Import(directory, modelFile, files, options, mlflow);
        }

        var modelBytes = File.ReadAllBytes(Path.Combine(directory, modelFile));
        var session = OnnxRuntimeFactory.CreateSession(modelBytes, modelFile);
        ModelSignature signature;
        try
        {
            signature = OnnxSignatureReader.Read(session);
        }
        catch
        {
            session.Dispose();
            throw;
        }

        // The runtime owns the session from here on and disposes it.
        using var runtime = new OnnxModelRuntime(session, signature);
        if (mlflow?.SignatureInputs is { } mlflowInputs)
        {
            signature = SignatureReconciler.ApplyMlflowInputs(signature, MlflowSchema.Parse(mlflowInputs, "MLmodel signature.inputs"));
        }

        if (options.FeatureNames is { Count: > 0 } featureNames)
        {
            signature = SignatureReconciler.ApplyFeatureNames(signature, featureNames);
        }

        var layout = new InputLayout(signature);
        var example = mlflow?.InputExamplePath is { } examplePath && files.Contains(examplePath)
            ? ReadMlflowExample(Path.Combine(directory, examplePath), layout)
            : ExampleSynthesizer.Synthesize(layout);
        RunExample(runtime, example);
        var engine = OnnxTreeEngine.Choose(modelBytes, runtime, example);
        var metadata = ReadMetadata(session, mlflow);
        foreach (var (key, value) in engine.Engine.Metadata())
        {
            metadata[key] = value;
        }

        var manifest = new ModelManifest
        {
            Flavor = ModelFlavors.Onnx,
            ModelFile = modelFile,
            Signature = signature,
            InputExample = V2RequestWriter.ToJson(example),
            Metadata = metadata,
            Source = options.Source,
            RunId = options.RunId ?? mlflow?.RunId,
        };
        return new ImportedPackage(manifest, files);
    }

    private static string SingleOnnxFile(string[] files)
    {
        var onnx = files.Where(f => f.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase)).ToArray();
        return onnx.Length switch
        {
            1 => onnx[0],
            0 => throw KilnException.Invalid("package", "has no .onnx file, no XGBoost or LightGBM model and no MLmodel file; upload a .onnx model, an XGBoost model saved as JSON or UBJSON, a LightGBM model saved as text, or an MLflow model directory (onnx, xgboost or lightgbm flavor)."),
            _ => throw KilnException.Invalid("package", $"has {onnx.Length} .onnx files and no MLmodel file saying which to serve."),
        };
    }

    private static InferenceBatch ReadMlflowExample(string path, InputLayout layout)
    {
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(path));
            var root = document.RootElement;
            string body = root.ValueKind switch
            {
                JsonValueKind.Object when root.TryGetProperty("columns", out _) && root.TryGetProperty("data", out _) => $"{{\"dataframe_split\":{root.GetRawText()}}}",
                JsonValueKind.Object when root.TryGetProperty("inputs", out _) || root.TryGetProperty("instances", out _) => root.GetRawText(),
                JsonValueKind.Array => $"{{\"instances\":{root.GetRawText()}}}",
                _ => $"{{\"inputs\":{root.GetRawText()}}}",
            };
            return MlflowRequestDecoder.Decode(Encoding.UTF8.GetBytes(body), layout).Batch;
        }
        catch (JsonException)
        {
            throw KilnException.Invalid("input_example", "is not valid JSON.");
        }
        catch (KilnException e)
        {
            throw KilnException.Invalid("input_example", $"does not fit the model's signature: {e.Message}");
        }
    }

    private static void RunExample(OnnxModelRuntime runtime, InferenceBatch example)
    {
        try
        {
            runtime.Predict(example, null);
        }
        catch (OnnxRuntimeException e)
        {
            throw KilnException.Invalid("input_example", $"the model failed on its input example: {OnnxRuntimeFactory.FirstLine(e.Message)}");
        }
    }

    private static Dictionary<string, string> ReadMetadata(InferenceSession session, MlflowModelFile? mlflow)
    {
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        var onnx = session.ModelMetadata;
        if (!string.IsNullOrEmpty(onnx.ProducerName))
        {
            metadata["onnx.producer_name"] = onnx.ProducerName;
        }

        if (!string.IsNullOrEmpty(onnx.GraphName))
        {
            metadata["onnx.graph_name"] = onnx.GraphName;
        }

        foreach (var (key, value) in onnx.CustomMetadataMap)
        {
            metadata[key] = value;
        }

        if (mlflow is not null)
        {
            foreach (var (key, value) in mlflow.Metadata)
            {
                metadata[key] = value;
            }
        }

        return metadata;
    }
}
