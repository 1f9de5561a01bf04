using Kiln.Core;
using Kiln.Core.Packaging;
using Kiln.Inference.Runtime;

namespace Kiln.Inference.Trees.LightGbm;

/// <summary>Loads <c>lightgbm</c>-flavor packages (LightGBM's text model format) into the compiled tree engine; no native LightGBM, no conversion.</summary>
public sealed class LightGbmRuntimeFactory : IModelRuntimeFactory
{
    public string Flavor => ModelFlavors.LightGbm;

    public IModelRuntime Load(ModelManifest manifest, Func<string, Stream> openFile)
    {
        using var stream = openFile(manifest.ModelFile);
        return Compile(ReadModel(stream, manifest.ModelFile), manifest.ModelFile, manifest.Signature);
    }

    /// <summary>Whether <paramref name="text"/>, a file or its start, looks like a LightGBM text model (its first line is <c>tree</c>).</summary>
    internal static bool LooksLikeModel(string text) => text.StartsWith("tree\n", StringComparison.Ordinal) || text.StartsWith("tree\r\n", StringComparison.Ordinal);

    /// <summary>Reads a LightGBM text model; a file that is not one, or a model Kiln cannot serve, is a 400 naming the file and why.</summary>
    internal static LightGbmModel ReadModel(Stream stream, string field)
    {
        using var reader = new StreamReader(stream);
        var text = reader.ReadToEnd();
        if (!LooksLikeModel(text))
        {
            throw KilnException.Invalid(field, "is not a LightGBM model in its text format (save it with booster.save_model(\"model.txt\"), or log it with mlflow.lightgbm).");
        }

        try
        {
            var model = LightGbmModelReader.Read(text);
            _ = Compile(model, field, null);
            return model;
        }
        catch (TreeEngineNotCoveredException e)
        {
            throw KilnException.Invalid(field, $"is a LightGBM model Kiln cannot serve: {e.Message}.");
        }
    }

    /// <summary>The runtime of <paramref name="model"/>; what the engine does not cover is a 400 naming <paramref name="field"/>.</summary>
    internal static LightGbmRuntime Compile(LightGbmModel model, string field, ModelSignature? signature)
    {
        try
        {
            return new LightGbmRuntime(model, signature);
        }
        catch (TreeEngineNotCoveredException e)
        {
            throw KilnException.Invalid(field, $"is a LightGBM model Kiln cannot serve: {e.Message}.");
        }
    }
}
