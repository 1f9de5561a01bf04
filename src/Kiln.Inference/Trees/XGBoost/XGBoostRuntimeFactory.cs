using Kiln.Core;
using Kiln.Core.Packaging;
using Kiln.Inference.Runtime;

namespace Kiln.Inference.Trees.XGBoost;

/// <summary>Loads <c>xgboost</c>-flavor packages (XGBoost's JSON model format) into the compiled tree engine; no Python, no conversion.</summary>
public sealed class XGBoostRuntimeFactory : IModelRuntimeFactory
{
    public string Flavor => ModelFlavors.XGBoost;

    public IModelRuntime Load(ModelManifest manifest, Func<string, Stream> openFile)
    {
        using var stream = openFile(manifest.ModelFile);
        return new XGBoostRuntime(ReadModel(stream, manifest.ModelFile), manifest.Signature);
    }

    /// <summary>Reads an XGBoost JSON model; a model Kiln cannot serve is a 400 naming the file and why.</summary>
    internal static XGBoostModel ReadModel(Stream stream, string field)
    {
        try
        {
            var model = XGBoostModelReader.Read(stream);
            _ = CompiledTreeEnsemble.Compile(model.Trees);
            return model;
        }
        catch (TreeEngineNotCoveredException e)
        {
            throw KilnException.Invalid(field, $"is an XGBoost model Kiln cannot serve: {e.Message}.");
        }
        catch (System.Text.Json.JsonException e)
        {
            throw KilnException.Invalid(field, $"is not valid JSON: {e.Message}");
        }
    }
}
