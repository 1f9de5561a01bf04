using Kiln.Core;
using Kiln.Core.Packaging;
using Kiln.Inference.Runtime;

namespace Kiln.Inference.Trees.XGBoost;

/// <summary>Loads <c>xgboost</c>-flavor packages (XGBoost's JSON or UBJSON model formats) into the compiled tree engine; no Python, no conversion.</summary>
public sealed class XGBoostRuntimeFactory : IModelRuntimeFactory
{
    public string Flavor => ModelFlavors.XGBoost;

    public IModelRuntime Load(ModelManifest manifest, Func<string, Stream> openFile)
    {
        using var stream = openFile(manifest.ModelFile);
        return new XGBoostRuntime(ReadModel(stream, manifest.ModelFile), manifest.Signature);
    }

    /// <summary>
    /// Reads an XGBoost model saved as JSON or as UBJSON (told apart by their second byte); XGBoost's older binary
    /// format, or a model Kiln cannot serve, is a 400 naming the file and why.
    /// </summary>
    internal static XGBoostModel ReadModel(Stream stream, string field)
    {
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        var bytes = buffer.GetBuffer().AsSpan(0, (int)buffer.Length);
        if (bytes.StartsWith("binf"u8) || bytes.IsEmpty || bytes[0] != (byte)'{')
        {
            throw KilnException.Invalid(field, "is not an XGBoost model in JSON or UBJSON (XGBoost's older binary format, '.xgb' before XGBoost 2.1, cannot be read: save the model with save_model(\"model.json\") or \"model.ubj\", or log it to MLflow with model_format=\"json\" or \"ubj\").");
        }

        try
        {
            // After '{', JSON has white space, a quote or '}'; UBJSON has the length marker of the first key, or '$'/'#'.
            var ubjson = bytes.Length > 1 && bytes[1] is (byte)'i' or (byte)'U' or (byte)'I' or (byte)'l' or (byte)'L' or (byte)'$' or (byte)'#';
            var model = ubjson
                ? XGBoostModelReader.Read(new MemoryStream(UbjsonToJson.Convert(bytes)))
                : XGBoostModelReader.Read(new MemoryStream(buffer.GetBuffer(), 0, (int)buffer.Length));
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
        catch (InvalidDataException e)
        {
            throw KilnException.Invalid(field, $"is not valid UBJSON: {e.Message}");
        }
    }
}
