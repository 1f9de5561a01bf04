using System.Text.Json;
using Kiln.Core;

namespace Kiln.Inference.Decoding;

/// <summary>Decodes a KServe v1 <c>:predict</c> request: <c>{"instances": [...]}</c> or the columnar <c>{"inputs": ...}</c>.</summary>
public static class V1RequestDecoder
{
    public static DecodedRequest Decode(ReadOnlyMemory<byte> body, InputLayout layout)
    {
        using var document = JsonBodies.Parse(body);
        var root = JsonBodies.RequireObject(document.RootElement, "body");
        var builder = new BatchBuilder(layout);
        if (root.TryGetProperty("instances", out var instances))
        {
            RecordDecoder.DecodeInstances(builder, instances, "instances");
        }
        else if (root.TryGetProperty("inputs", out var inputs))
        {
            if (inputs.ValueKind == JsonValueKind.Object)
            {
                RecordDecoder.DecodeColumnDictionary(builder, inputs, "inputs");
            }
            else
            {
                RecordDecoder.DecodeInstances(builder, inputs, "inputs");
            }
        }
        else
        {
            throw KilnException.Invalid("instances", "is required (or 'inputs').");
        }

        return new DecodedRequest(builder.Build(), null, null);
    }
}
