namespace Kiln.Core.Packaging;

/// <summary>The model flavors Kiln can serve.</summary>
public static class ModelFlavors
{
    /// <summary>An ONNX graph served by ONNX Runtime.</summary>
    public const string Onnx = "onnx";
}
