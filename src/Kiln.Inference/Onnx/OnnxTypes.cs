using Kiln.Core;
using Kiln.Core.Tensors;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Kiln.Inference.Onnx;

/// <summary>Maps ONNX element types to Kiln's tensor types.</summary>
internal static class OnnxTypes
{
    public static bool TryToKiln(TensorElementType type, out TensorDataType dataType)
    {
        (var ok, dataType) = type switch
        {
            TensorElementType.Bool => (true, TensorDataType.Bool),
            TensorElementType.UInt8 => (true, TensorDataType.UInt8),
            TensorElementType.UInt16 => (true, TensorDataType.UInt16),
            TensorElementType.UInt32 => (true, TensorDataType.UInt32),
            TensorElementType.UInt64 => (true, TensorDataType.UInt64),
            TensorElementType.Int8 => (true, TensorDataType.Int8),
            TensorElementType.Int16 => (true, TensorDataType.Int16),
            TensorElementType.Int32 => (true, TensorDataType.Int32),
            TensorElementType.Int64 => (true, TensorDataType.Int64),
            TensorElementType.Float16 => (true, TensorDataType.Fp16),
            TensorElementType.Float => (true, TensorDataType.Fp32),
            TensorElementType.Double => (true, TensorDataType.Fp64),
            TensorElementType.String => (true, TensorDataType.Bytes),
            _ => (false, TensorDataType.Fp32),
        };
        return ok;
    }

    public static TensorDataType ToKiln(TensorElementType type, string what) =>
        TryToKiln(type, out var dataType)
            ? dataType
            : throw KilnException.Invalid(what, $"has ONNX element type {type}, which Kiln cannot serve.");
}
