using Kiln.Core;
using Kiln.Core.Packaging;
using Kiln.Inference.Decoding;
using Kiln.Inference.Runtime;
using Kiln.Inference.Trees;
using Microsoft.ML.OnnxRuntime;

namespace Kiln.Inference.Onnx;

/// <summary>
/// Loads <c>onnx</c>-flavor packages into ONNX Runtime sessions, and serves tree ensembles the compiled
/// tree engine covers with it instead (the session stays behind it as the reference runtime).
/// </summary>
/// <param name="compileTrees">Offer tree ensembles to the compiled engine (default); false serves every model with ONNX Runtime.</param>
public sealed class OnnxRuntimeFactory(bool compileTrees = true) : IModelRuntimeFactory
{
    public OnnxRuntimeFactory()
        : this(true)
    {
    }

    public string Flavor => ModelFlavors.Onnx;

    public IModelRuntime Load(ModelManifest manifest, Func<string, Stream> openFile)
    {
        byte[] bytes;
        using (var stream = openFile(manifest.ModelFile))
        using (var buffer = new MemoryStream())
        {
            stream.CopyTo(buffer);
            bytes = buffer.ToArray();
        }

        var session = CreateSession(bytes, manifest.ModelFile);
        try
        {
            var graphSignature = OnnxSignatureReader.Read(session);
            EnsureSameInterface(graphSignature, manifest.Signature);
            var reference = new OnnxModelRuntime(session, manifest.Signature);
            if (!compileTrees)
            {
                return reference;
            }

            var example = manifest.InputExample is { } json
                ? V2RequestDecoder.Decode(System.Text.Encoding.UTF8.GetBytes(json.GetRawText()), new InputLayout(manifest.Signature)).Batch
                : null;
            return (IModelRuntime?)OnnxTreeEngine.Choose(bytes, reference, example).Runtime ?? reference;
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Opens a session tuned for serving: one intra-op thread per call, because concurrency comes
    /// from concurrent requests and extra threads only contend on a small machine.
    /// </summary>
    internal static InferenceSession CreateSession(byte[] model, string field)
    {
        OnnxTelemetry.EnsureDecided();
        using var options = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            IntraOpNumThreads = 1,
            InterOpNumThreads = 1,
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
        };
        try
        {
            return new InferenceSession(model, options);
        }
        catch (OnnxRuntimeException e)
        {
            throw KilnException.Invalid(field, $"is not a loadable ONNX model: {FirstLine(e.Message)}");
        }
    }

    internal static string FirstLine(string message)
    {
        var line = string.Join(' ', message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        return line.Length <= 300 ? line : line[..300] + "…";
    }

    private static void EnsureSameInterface(ModelSignature graph, ModelSignature manifest)
    {
        foreach (var input in manifest.Inputs)
        {
            var actual = graph.FindInput(input.Name)
                ?? throw KilnException.Invalid("signature", $"input '{input.Name}' is not an input of the ONNX graph.");
            if (actual.DataType != input.DataType)
            {
                throw KilnException.Invalid("signature", $"input '{input.Name}' is {input.DataType} in the manifest but {actual.DataType} in the graph.");
            }
        }

        if (graph.Inputs.Count != manifest.Inputs.Count)
        {
            throw KilnException.Invalid("signature", $"the manifest names {manifest.Inputs.Count} inputs but the graph has {graph.Inputs.Count}.");
        }
    }
}
