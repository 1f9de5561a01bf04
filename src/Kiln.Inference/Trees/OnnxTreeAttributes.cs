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
}
