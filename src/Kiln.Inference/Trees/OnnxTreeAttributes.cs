using Kiln.Inference.Onnx.Proto;

namespace Kiln.Inference.Trees;

/// <summary>Typed access to an ONNX node's attributes by name, absent ones read as empty.</summary>
internal sealed class OnnxTreeAttributes
{
    private readonly Dictionary<string, AttributeProto> _attributes;

    public OnnxTreeAttributes(NodeProto node)
    {
        _attributes = node.Attribute.ToDictionary(a => a.Name, StringComparer.Ordinal);
    }

    public bool Has(string name) => _attributes.ContainsKey(name);

    public long[] Ints(string name) => _attributes.TryGetValue(name, out var a) ? a.Ints.ToArray() : [];

    public float[] Floats(string name) => _attributes.TryGetValue(name, out var a) ? a.Floats.ToArray() : [];

    public string[] Strings(string name) => _attributes.TryGetValue(name, out var a) ? a.Strings.Select(s => s.ToStringUtf8()).ToArray() : [];

    public string String(string name, string fallback) => _attributes.TryGetValue(name, out var a) && a.HasS ? a.S.ToStringUtf8() : fallback;

    public long Int(string name, long fallback) => _attributes.TryGetValue(name, out var a) && a.HasI ? a.I : fallback;

    /// <summary>A tensor attribute's element type, or null when the attribute is absent or not a tensor.</summary>
    public TensorProto.Types.DataType? TensorType(string name) =>
        _attributes.TryGetValue(name, out var a) && a.T is { } t ? (TensorProto.Types.DataType)t.DataType : null;

    /// <summary>A float tensor attribute's values (from <c>float_data</c> or little-endian <c>raw_data</c>); absent reads as empty.</summary>
    public float[] FloatTensor(string name)
    {
        if (!_attributes.TryGetValue(name, out var a) || a.T is not { } t)
        {
            return [];
        }

        if (t.DataType != (int)TensorProto.Types.DataType.Float)
        {
            throw new TreeEngineNotCoveredException($"attribute '{name}' holds {(TensorProto.Types.DataType)t.DataType} values, not float");
        }

        return t.RawData.IsEmpty ? t.FloatData.ToArray() : System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(t.RawData.Span).ToArray();
    }

    /// <summary>A uint8 tensor attribute's values (from <c>int32_data</c> or <c>raw_data</c>); absent reads as empty.</summary>
    public byte[] ByteTensor(string name)
    {
        if (!_attributes.TryGetValue(name, out var a) || a.T is not { } t)
        {
            return [];
        }

        if (t.DataType != (int)TensorProto.Types.DataType.Uint8)
        {
            throw new TreeEngineNotCoveredException($"attribute '{name}' holds {(TensorProto.Types.DataType)t.DataType} values, not uint8");
        }

        return t.RawData.IsEmpty ? t.Int32Data.Select(v => checked((byte)v)).ToArray() : t.RawData.ToByteArray();
    }
}
