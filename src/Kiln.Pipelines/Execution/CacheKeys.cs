using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Kiln.Pipelines.Execution;

/// <summary>
/// A step's cache key: SHA-256 over its kind, its resolved inputs (which carry parameter values and the digests of
/// input artifacts) and whatever its executor adds (a file's digest). Object keys are sorted, so the key does not
/// depend on the order inputs were written in.
/// </summary>
public static class CacheKeys
{
    /// <summary>Bumped when the key's makeup changes, so old entries stop matching.</summary>
    private const int Format = 1;

    public static string Compute(string kind, JsonObject inputs, string? identity)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteNumber("format", Format);
            writer.WriteString("kind", kind);
            writer.WritePropertyName("inputs");
            WriteCanonical(writer, inputs);
            writer.WriteString("identity", identity);
            writer.WriteEndObject();
        }

        return "sha256:" + Convert.ToHexStringLower(SHA256.HashData(buffer.ToArray()));
    }

    private static void WriteCanonical(Utf8JsonWriter writer, JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                writer.WriteStartObject();
                foreach (var (key, value) in obj.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    writer.WritePropertyName(key);
                    WriteCanonical(writer, value);
                }

                writer.WriteEndObject();
                break;
            case JsonArray array:
                writer.WriteStartArray();
                foreach (var item in array)
                {
                    WriteCanonical(writer, item);
                }

                writer.WriteEndArray();
                break;
            case null:
                writer.WriteNullValue();
                break;
            default:
                node.WriteTo(writer);
                break;
        }
    }
}
