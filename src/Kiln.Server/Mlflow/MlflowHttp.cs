using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Kiln.Core;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Kiln.Server.Mlflow;

/// <summary>Reading MLflow requests and writing its responses with <see cref="MlflowJsonContext"/>.</summary>
internal static class MlflowHttp
{
    public static readonly JsonHttpResult<MlflowEmpty> Empty = TypedResults.Json(new MlflowEmpty(), MlflowJsonContext.Default.MlflowEmpty);

    /// <summary>Reads a JSON body (an empty body is an empty message, as MLflow's server treats it).</summary>
    public static async Task<T> ReadAsync<T>(HttpContext context, JsonTypeInfo<T> type)
        where T : class
    {
        try
        {
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
            var json = buffer.Length == 0 ? "{}"u8.ToArray() : buffer.ToArray();
            return JsonSerializer.Deserialize(json, type) ?? throw KilnException.Invalid("body", "must be a JSON object.");
        }
        catch (JsonException e)
        {
            throw KilnException.Invalid(e.Path is { Length: > 2 } path ? path.TrimStart('$', '.') : "body", "the request body is not valid JSON for this endpoint.");
        }
    }

    public static JsonHttpResult<T> Json<T>(T value, JsonTypeInfo<T> type) => TypedResults.Json(value, type);

    public static string Required(string? value, string field) =>
        string.IsNullOrEmpty(value) ? throw KilnException.Invalid(field, "is required (missing value for required parameter).") : value;

    public static int Version(string? value)
    {
        var text = Required(value, "version");
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var version) && version > 0
            ? version
            : throw KilnException.Invalid("version", $"'{text}' is not a version number.");
    }

    public static int MaxResults(int? value, int fallback, int limit) => value switch
    {
        null or 0 => fallback,
        < 0 => throw KilnException.Invalid("max_results", "must be positive."),
        _ when value > limit => throw KilnException.Invalid("max_results", $"must be at most {limit}."),
        _ => value.Value,
    };

    /// <summary>One page of an in-memory list, with an opaque offset token like the run search's.</summary>
    public static (IReadOnlyList<T> Page, string? Next) Page<T>(IReadOnlyList<T> all, int maxResults, string? token)
    {
        var offset = 0;
        if (!string.IsNullOrEmpty(token))
        {
            try
            {
                var text = Encoding.UTF8.GetString(Convert.FromBase64String(token));
                if (!text.StartsWith("offset:", StringComparison.Ordinal) || !int.TryParse(text.AsSpan(7), NumberStyles.None, CultureInfo.InvariantCulture, out offset))
                {
                    throw KilnException.Invalid("page_token", "is not a token this server gave out.");
                }
            }
            catch (FormatException)
            {
                throw KilnException.Invalid("page_token", "is not a token this server gave out.");
            }
        }

        var page = all.Skip(offset).Take(maxResults).ToArray();
        var next = offset + page.Length < all.Count
            ? Convert.ToBase64String(Encoding.UTF8.GetBytes($"offset:{(offset + page.Length).ToString(CultureInfo.InvariantCulture)}"))
            : null;
        return (page, next);
    }

    public static Dictionary<string, string> Tags(IReadOnlyList<MlflowTag>? tags)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var tag in tags ?? [])
        {
            result[Required(tag.Key, "tags.key")] = tag.Value ?? "";
        }

        return result;
    }
}
