using System.Runtime.InteropServices;
using Kiln.Core;
using Kiln.Core.Packaging;
using Kiln.Core.Tensors;
using Kiln.Inference.Runtime;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using KilnTensor = Kiln.Core.Tensors.Tensor;

namespace Kiln.Inference.Onnx;

/// <summary>
/// One ONNX Runtime session per loaded model version. <see cref="InferenceSession.Run(RunOptions, IReadOnlyCollection{string}, IReadOnlyCollection{OrtValue}, IReadOnlyCollection{string})"/>
/// is thread-safe, so one session serves every concurrent request; the OrtValues of a call are disposed with it.
/// </summary>
internal sealed class OnnxModelRuntime : IModelRuntime
{
    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions = new();
    private readonly string[] _inputNames;
    private readonly string[] _allOutputNames;

    public OnnxModelRuntime(InferenceSession session, ModelSignature signature)
    {
        _session = session;
        Signature = signature;
        _inputNames = signature.Inputs.Select(i => i.Name).ToArray();
        _allOutputNames = signature.Outputs.Select(o => o.Name).ToArray();
    }

    public ModelSignature Signature { get; }

    public InferenceResult Predict(InferenceBatch batch, IReadOnlyList<string>? outputs)
    {
        var outputNames = outputs is null || outputs.Count == 0 ? _allOutputNames : outputs;
        var inputValues = new OrtValue[batch.Inputs.Count];
        try
        {
            for (var i = 0; i < inputValues.Length; i++)
            {
                inputValues[i] = OrtValues.FromTensor(batch.Inputs[i]);
            }

            using var results = _session.Run(_runOptions, _inputNames, inputValues, outputNames as IReadOnlyCollection<string> ?? outputNames.ToArray());
            var tensors = new KilnTensor[results.Count];
            var index = 0;
            foreach (var name in outputNames)
            {
                tensors[index] = OrtValues.ToTensor(name, results[index]);
                index++;
            }

            return new InferenceResult(tensors);
        }
        catch (OnnxRuntimeException e)
        {
            // Every model ran on its example at registration, so a failure here comes from this input's values or shapes.
            throw KilnException.Invalid("inputs", $"the model could not score this input: {OnnxRuntimeFactory.FirstLine(e.Message)}");
        }
        finally
        {
            foreach (var value in inputValues)
            {
                value?.Dispose();
            }
        }
    }

    public void Dispose()
    {
        _runOptions.Dispose();
        _session.Dispose();
    }
}

/// <summary>Conversions between Kiln tensors and ONNX Runtime values.</summary>
internal static class OrtValues
{
    public static OrtValue FromTensor(KilnTensor tensor) => tensor.DataType switch
    {
        TensorDataType.Fp32 => Numeric<float>(tensor),
        TensorDataType.Fp64 => Numeric<double>(tensor),
        TensorDataType.Int64 => Numeric<long>(tensor),
        TensorDataType.Int32 => Numeric<int>(tensor),
        TensorDataType.Int16 => Numeric<short>(tensor),
        TensorDataType.Int8 => Numeric<sbyte>(tensor),
        TensorDataType.UInt64 => Numeric<ulong>(tensor),
        TensorDataType.UInt32 => Numeric<uint>(tensor),
        TensorDataType.UInt16 => Numeric<ushort>(tensor),
        TensorDataType.UInt8 => Numeric<byte>(tensor),
        TensorDataType.Bool => Numeric<bool>(tensor),
        TensorDataType.Fp16 => HalfTensor(tensor),
        TensorDataType.Bytes => StringTensor(tensor),
        _ => throw new ArgumentOutOfRangeException(nameof(tensor), tensor.DataType, null),
    };

    public static KilnTensor ToTensor(string name, OrtValue value)
    {
        if (value.OnnxType == OnnxValueType.ONNX_TYPE_SEQUENCE)
        {
            return ProbabilityMaps(name, value);
        }

        var info = value.GetTensorTypeAndShape();
        var shape = info.Shape;
        var count = (int)info.ElementCount;
        return info.ElementDataType switch
        {
            TensorElementType.Float => new KilnTensor(name, TensorDataType.Fp32, shape, value.GetTensorDataAsSpan<float>().ToArray(), count),
            TensorElementType.Double => new KilnTensor(name, TensorDataType.Fp64, shape, value.GetTensorDataAsSpan<double>().ToArray(), count),
            TensorElementType.Int64 => new KilnTensor(name, TensorDataType.Int64, shape, value.GetTensorDataAsSpan<long>().ToArray(), count),
            TensorElementType.Int32 => new KilnTensor(name, TensorDataType.Int32, shape, value.GetTensorDataAsSpan<int>().ToArray(), count),
            TensorElementType.Int16 => new KilnTensor(name, TensorDataType.Int16, shape, value.GetTensorDataAsSpan<short>().ToArray(), count),
            TensorElementType.Int8 => new KilnTensor(name, TensorDataType.Int8, shape, value.GetTensorDataAsSpan<sbyte>().ToArray(), count),
            TensorElementType.UInt64 => new KilnTensor(name, TensorDataType.UInt64, shape, value.GetTensorDataAsSpan<ulong>().ToArray(), count),
            TensorElementType.UInt32 => new KilnTensor(name, TensorDataType.UInt32, shape, value.GetTensorDataAsSpan<uint>().ToArray(), count),
            TensorElementType.UInt16 => new KilnTensor(name, TensorDataType.UInt16, shape, value.GetTensorDataAsSpan<ushort>().ToArray(), count),
            TensorElementType.UInt8 => new KilnTensor(name, TensorDataType.UInt8, shape, value.GetTensorDataAsSpan<byte>().ToArray(), count),
            TensorElementType.Bool => new KilnTensor(name, TensorDataType.Bool, shape, value.GetTensorDataAsSpan<bool>().ToArray(), count),
            TensorElementType.Float16 => new KilnTensor(name, TensorDataType.Fp16, shape, MemoryMarshal.Cast<Float16, Half>(value.GetTensorDataAsSpan<Float16>()).ToArray(), count),
            TensorElementType.String => new KilnTensor(name, TensorDataType.Bytes, shape, value.GetStringTensorAsArray(), count),
            _ => throw new NotSupportedException($"Output '{name}' has element type {info.ElementDataType}, which Kiln cannot return."),
        };
    }

    private static OrtValue Numeric<T>(KilnTensor tensor)
        where T : unmanaged =>
        OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, ((T[])tensor.Data).AsMemory(0, tensor.Length), tensor.Shape);

    private static OrtValue HalfTensor(KilnTensor tensor)
    {
        var halves = ((Half[])tensor.Data).AsSpan(0, tensor.Length);
        var converted = MemoryMarshal.Cast<Half, Float16>(halves).ToArray();
        return OrtValue.CreateTensorValueFromMemory(converted, tensor.Shape);
    }

    private static OrtValue StringTensor(KilnTensor tensor)
    {
        var strings = (string[])tensor.Data;
        var value = OrtValue.CreateTensorWithEmptyStrings(OrtAllocator.DefaultInstance, tensor.Shape);
        for (var i = 0; i < tensor.Length; i++)
        {
            value.StringTensorSetElementAt(strings[i].AsSpan(), i);
        }

        return value;
    }

    /// <summary>
    /// A ZipMap output (one map of class → probability per row) becomes an FP32 [rows, classes]
    /// matrix whose <see cref="KilnTensor.Labels"/> are the classes, in the map's key order.
    /// </summary>
    private static KilnTensor ProbabilityMaps(string name, OrtValue sequence)
    {
        var allocator = OrtAllocator.DefaultInstance;
        var rows = sequence.GetValueCount();
        string[]? labels = null;
        float[] data = [];
        for (var row = 0; row < rows; row++)
        {
            using var map = sequence.GetValue(row, allocator);
            using var keys = map.GetValue(0, allocator);
            using var values = map.GetValue(1, allocator);
            var valueInfo = values.GetTensorTypeAndShape();
            var classes = (int)valueInfo.ElementCount;
            if (labels is null)
            {
                labels = ReadLabels(keys, classes);
                data = new float[rows * classes];
            }

            var target = data.AsSpan(row * labels.Length, labels.Length);
            if (valueInfo.ElementDataType == TensorElementType.Double)
            {
                var source = values.GetTensorDataAsSpan<double>();
                for (var c = 0; c < target.Length; c++)
                {
                    target[c] = (float)source[c];
                }
            }
            else
            {
                values.GetTensorDataAsSpan<float>()[..target.Length].CopyTo(target);
            }
        }

        labels ??= [];
        return new KilnTensor(name, TensorDataType.Fp32, [rows, labels.Length], data, data.Length) { Labels = labels };
    }

    private static string[] ReadLabels(OrtValue keys, int classes)
    {
        var info = keys.GetTensorTypeAndShape();
        if (info.ElementDataType == TensorElementType.String)
        {
            return keys.GetStringTensorAsArray();
        }

        var labels = new string[classes];
        var ids = keys.GetTensorDataAsSpan<long>();
        for (var i = 0; i < classes; i++)
        {
            labels[i] = ids[i].ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return labels;
    }
}
