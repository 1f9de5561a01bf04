using System.Text.Json;
using Kiln.Core;

namespace Kiln.Inference.Decoding;

/// <summary>Parsing of request bodies into JSON documents, with errors a client can act on.</summary>
internal static class JsonBodies
{
    private static readonly JsonDocumentOptions Options = new() { MaxDepth = 64, CommentHandling = JsonCommentHandling.Disallow };

    public static JsonDocument Parse(ReadOnlyMemory<byte> body)
    {
        if (body.IsEmpty)
        {
            throw KilnException.Invalid("body", "is empty; expected a JSON object.");
        }

        try
        {
            return JsonDocument.Parse(body, Options);
        }
        catch (JsonException e)
        {
            var where = e.LineNumber is { } line ? $" (line {line + 1}, byte {e.BytePositionInLine + 1})" : "";
            throw KilnException.Invalid("body", $"is not valid JSON{where}.");
        }
    }

    public static JsonElement RequireObject(JsonElement element, string field)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw KilnException.Invalid(field, $"expected a JSON object, got {ValueWriter.Describe(element)}.");
        }

        return element;
    }

    public static JsonElement RequireArray(JsonElement element, string field)
    {
        if (element.ValueKind != JsonValueKind.Array)
        {
            throw KilnException.Invalid(field, $"expected an array, got {ValueWriter.Describe(element)}.");
        }

        return element;
    }

    public static string? OptionalString(JsonElement parent, string property, string field)
    {
        if (!parent.TryGetProperty(property, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : throw KilnException.Invalid(field, $"expected a string, got {ValueWriter.Describe(value)}.");
    }
}
