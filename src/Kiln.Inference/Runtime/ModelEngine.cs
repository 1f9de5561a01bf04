namespace Kiln.Inference.Runtime;

/// <summary>
/// Which engine scores a loaded model and why, as a model version's metadata records it:
/// <c>kiln.engine</c> (<see cref="CompiledTrees"/>, <see cref="OnnxRuntime"/> or <see cref="MlNet"/>) and
/// <c>kiln.engine.detail</c> (the compiled form, or why the format's own runtime serves it).
/// </summary>
public readonly record struct ModelEngine(string Name, string Detail)
{
    public const string Key = "kiln.engine";
    public const string DetailKey = "kiln.engine.detail";

    /// <summary>Kiln's compiled tree engine.</summary>
    public const string CompiledTrees = "compiled-trees";

    /// <summary>ONNX Runtime, the reference runtime of the onnx flavor.</summary>
    public const string OnnxRuntime = "onnxruntime";

    /// <summary>ML.NET, the reference runtime of the mlnet flavor.</summary>
    public const string MlNet = "mlnet";

    /// <summary>The two metadata entries.</summary>
    public IEnumerable<KeyValuePair<string, string>> Metadata()
    {
        yield return new(Key, Name);
        yield return new(DetailKey, Detail);
    }
}

/// <summary>A runtime that says which engine scores its model (recorded on the version when the model is registered).</summary>
public interface IReportsModelEngine
{
    ModelEngine Engine { get; }
}
