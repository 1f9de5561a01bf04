using Kiln.Core;
using Kiln.Core.Packaging;
using Kiln.Core.Tensors;
using Microsoft.ML.OnnxRuntime;

namespace Kiln.Inference.Onnx;

/// <summary>Reads a model's signature from a loaded ONNX graph: names, element types and shapes.</summary>
internal static class OnnxSignatureReader
{
    public static ModelSignature Read(InferenceSession session)
    {
        var inputs = session.InputNames.Select(name => ReadTensor(name, session.InputMetadata[name], "input")).ToArray();
        var outputs = session.OutputNames.Select(name => ReadOutput(name, session.OutputMetadata[name])).ToArray();
        return new ModelSignature(inputs, outputs);
    }

    private static TensorSpec ReadOutput(string name, NodeMetadata metadata)
    {
        if (metadata.OnnxValueType == OnnxValueType.ONNX_TYPE_SEQUENCE)
        {
            var element = metadata.AsSequenceMetadata().ElementMeta;
            if (element.OnnxValueType == OnnxValueType.ONNX_TYPE_MAP)
            {
                var value = element.AsMapMetadata().ValueMetadata;
                var valueType = OnnxTypes.ToKiln(value.ElementDataType, $"output '{name}'");
                if (valueType is not (TensorDataType.Fp32 or TensorDataType.Fp64))
                {
                    throw KilnException.Invalid($"output '{name}'", "is a sequence of maps whose values are not floats; only class-probability maps (ZipMap) are supported.");
                }

                return new TensorSpec(name, TensorDataType.Fp32, [-1, -1]) { Kind = TensorSpec.ProbabilityMapKind };
            }

            throw KilnException.Invalid($"output '{name}'", "is a sequence of non-map values, which Kiln cannot serve.");
        }

        return ReadTensor(name, metadata, "output");
    }

    private static TensorSpec ReadTensor(string name, NodeMetadata metadata, string role)
    {
        if (metadata.OnnxValueType != OnnxValueType.ONNX_TYPE_TENSOR)
        {
            throw KilnException.Invalid($"{role} '{name}'", $"is of ONNX kind {metadata.OnnxValueType}; only tensors can be {role}s.");
        }

        var dataType = OnnxTypes.ToKiln(metadata.ElementDataType, $"{role} '{name}'");
        var shape = metadata.Dimensions.Select(d => d < 0 ? -1L : d).ToArray();
        return new TensorSpec(name, dataType, shape);
    }
}
