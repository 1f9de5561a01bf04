using Kiln.Core.Packaging;

namespace Kiln.Inference.Runtime;

/// <summary>Loads models of one flavor.</summary>
public interface IModelRuntimeFactory
{
    /// <summary>The flavor this factory loads (e.g. <c>onnx</c>).</summary>
    string Flavor { get; }

    /// <summary>Loads a model from its manifest; <paramref name="openFile"/> opens a package file by path.</summary>
    IModelRuntime Load(ModelManifest manifest, Func<string, Stream> openFile);
}
