using Google.Protobuf;
using Kiln.Core.Tensors;
using Kiln.Inference.Onnx.Proto;
using Kiln.Inference.Runtime;

namespace Kiln.Inference.Trees;

/// <summary>The outcome of offering an ONNX model to the compiled tree engine: the runtime that serves it, or why ONNX Runtime does.</summary>
internal readonly record struct TreeEngineChoice(CompiledTreeRuntime? Runtime, string? Reason)
{
    /// <summary>Which engine serves the model and, for ONNX Runtime, why.</summary>
    public ModelEngine Engine => Runtime is null ? new(ModelEngine.OnnxRuntime, Reason!) : new(ModelEngine.CompiledTrees, Runtime.Description);
}

/// <summary>Compiles the tree ensembles of ONNX models that the engine covers (see <see cref="OnnxTreeGraph"/>).</summary>
internal static class OnnxTreeEngine
{
    /// <summary>
    /// Compiles <paramref name="model"/> if the engine covers it and, given an <paramref name="example"/>, only if both
    /// runtimes answer it alike; <paramref name="reference"/> is the model's ONNX Runtime session.
    /// </summary>
    public static TreeEngineChoice Choose(byte[] model, IModelRuntime reference, InferenceBatch? example)
    {
        var choice = Compile(model, reference);
        if (choice.Runtime is not { } compiled || example is null)
        {
            return choice;
        }

        var difference = ResultComparison.Difference(reference.Predict(example, null), compiled.Predict(example, null));
        return difference is null ? choice : new TreeEngineChoice(null, $"the compiled trees differ from ONNX Runtime on the input example: {difference}");
    }

    /// <summary>Compiles <paramref name="model"/> if the engine covers it; <paramref name="reference"/> is its ONNX Runtime session.</summary>
    public static TreeEngineChoice Compile(byte[] model, IModelRuntime reference)
    {
        ModelProto proto;
        try
        {
            proto = ModelProto.Parser.ParseFrom(model);
        }
        catch (InvalidProtocolBufferException e)
        {
            return new TreeEngineChoice(null, $"the model could not be read as ONNX protobuf: {e.Message}");
        }

        try
        {
            var graph = OnnxTreeGraph.Plan(proto);
            var (definition, rules) = OnnxTreeEnsembleReader.Read(graph.Trees);
            var trees = CompiledTreeEnsemble.Compile(definition);
            rules.EnsureCovered(trees.Scoring);
            return new TreeEngineChoice(new CompiledTreeRuntime(graph, trees, rules, reference), null);
        }
        catch (TreeEngineNotCoveredException e)
        {
            return new TreeEngineChoice(null, e.Message);
        }
    }
}
