using System.Text.Json;
using Kiln.Core;

namespace Kiln.Inference.Decoding;

/// <summary>
/// Decodes an MLflow scoring request (<c>/invocations</c>): exactly one of <c>dataframe_split</c>,
/// <c>dataframe_records</c>, <c>instances</c> or <c>inputs</c>, plus optional <c>params</c>.
/// </summary>
public static class MlflowRequestDecoder
{
    private static readonly string[] Formats = ["dataframe_split", "dataframe_records", "instances", "inputs"];

    public static DecodedRequest Decode(ReadOnlyMemory<byte> body, InputLayout layout)
    {
        using var document = JsonBodies.Parse(body);
        var root = JsonBodies.RequireObject(document.RootElement, "body");
        string? format = null;
        foreach (var property in root.EnumerateObject())
        {
            if (Array.IndexOf(Formats, property.Name) >= 0)
            {
                if (format is not null)
                {
                    throw KilnException.Invalid("body", $"has both '{format}' and '{property.Name}'; send exactly one of {string.Join(", ", Formats)}.");
                }

                format = property.Name;
            }
            else if (property.Name != "params")
            {
                throw KilnException.Invalid("body", $"has unknown key '{V2RequestDecoder.Truncate(property.Name)}'; send exactly one of {string.Join(", ", Formats)} (and optionally params).");
            }
        }

        if (format is null)
        {
            throw KilnException.Invalid("body", $"must have one of {string.Join(", ", Formats)}.");
        }

        var builder = new BatchBuilder(layout);
        var payload = root.GetProperty(format);
        switch (format)
        {
            case "dataframe_split":
                RecordDecoder.DecodeSplit(builder, payload, format);
                break;
            case "dataframe_records":
                JsonBodies.RequireArray(payload, format);
                RecordDecoder.DecodeInstances(builder, payload, format);
                break;
            default:
                if (payload.ValueKind == JsonValueKind.Object)
                {
                    RecordDecoder.DecodeColumnDictionary(builder, payload, format);
                }
                else
                {
                    RecordDecoder.DecodeInstances(builder, payload, format);
                }

                break;
        }

        return new DecodedRequest(builder.Build(), null, null);
    }
}
