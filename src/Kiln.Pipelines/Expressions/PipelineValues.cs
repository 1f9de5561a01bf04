using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Kiln.Core;
using Kiln.Pipelines.Definitions;

namespace Kiln.Pipelines.Expressions;

/// <summary>
/// Pipeline values are JSON. This reads them as the type a step input asks for, with the few conversions
/// that text from a command line or a template needs (<c>"25"</c> is an integer, <c>"5,25,50"</c> a list).
/// </summary>
public static class PipelineValues
{
    /// <summary>The number in <paramref name="value"/>, however it is held.</summary>
    public static bool TryGetNumber(JsonNode? value, out double number)
    {
        number = 0;
        if (value is not JsonValue json || json.GetValueKind() != JsonValueKind.Number)
        {
            return false;
        }

        if (json.TryGetValue(out number))
        {
            return true;
        }

        if (json.TryGetValue<long>(out var l))
        {
            number = l;
            return true;
        }

        if (json.TryGetValue<int>(out var i))
        {
            number = i;
            return true;
        }

        if (json.TryGetValue<decimal>(out var m))
        {
            number = (double)m;
            return true;
        }

        return double.TryParse(json.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out number);
    }

    /// <summary>
    /// <paramref name="value"/> as <paramref name="type"/>: the converted value, or null with
    /// <paramref name="problem"/> saying what is wrong (a missing value is not a problem here).
    /// </summary>
    public static JsonNode? Coerce(JsonNode? value, PipelineValueType type, out string? problem)
    {
        problem = null;
        if (value is null || value.GetValueKind() == JsonValueKind.Null)
        {
            return null;
        }

        var kind = value.GetValueKind();
        var text = kind == JsonValueKind.String ? value.GetValue<string>() : null;
        switch (type)
        {
            case PipelineValueType.String:
                if (kind is JsonValueKind.Object or JsonValueKind.Array)
                {
                    problem = "must be text, not " + (kind == JsonValueKind.Array ? "a list" : "an object");
                    return null;
                }

                return JsonValue.Create(ExpressionEvaluator.ToText(value));
            case PipelineValueType.Integer:
                if ((TryGetNumber(value, out var n) || double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out n))
                    && n == Math.Floor(n) && Math.Abs(n) < 1e15)
                {
                    return JsonValue.Create((long)n);
                }

                problem = $"must be a whole number, not {Show(value)}";
                return null;
            case PipelineValueType.Number:
                if ((TryGetNumber(value, out var d) || double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out d)) && double.IsFinite(d))
                {
                    return JsonValue.Create(d);
                }

                problem = $"must be a number, not {Show(value)}";
                return null;
            case PipelineValueType.Boolean:
                if (kind is JsonValueKind.True or JsonValueKind.False)
                {
                    return JsonValue.Create(kind == JsonValueKind.True);
                }

                if (bool.TryParse(text, out var b))
                {
                    return JsonValue.Create(b);
                }

                problem = $"must be true or false, not {Show(value)}";
                return null;
            case PipelineValueType.Duration:
                if (DurationText.TryParse(text, out var duration) && duration > TimeSpan.Zero)
                {
                    return JsonValue.Create(DurationText.Format(duration));
                }

                problem = $"must be a duration such as 30s, 15m, 2h or 7d, not {Show(value)}";
                return null;
            case PipelineValueType.StringList:
            case PipelineValueType.IntegerList:
                return CoerceList(value, type == PipelineValueType.IntegerList ? PipelineValueType.Integer : PipelineValueType.String, out problem);
            case PipelineValueType.Artifact:
                if (kind == JsonValueKind.String && text!.Length > 0)
                {
                    return JsonValue.Create(text);
                }

                if (value is JsonObject artifact && artifact["digest"] is JsonValue)
                {
                    return artifact.DeepClone();
                }

                problem = $"must name an artifact (a step's output, a path or a URI), not {Show(value)}";
                return null;
            default:
                throw new ArgumentOutOfRangeException(nameof(type), type, null);
        }
    }

    /// <summary>A short, bounded rendering of a value for an error message.</summary>
    public static string Show(JsonNode? value)
    {
        var json = value?.ToJsonString() ?? "null";
        return json.Length <= 60 ? json : json[..57] + "...";
    }

    private static JsonArray? CoerceList(JsonNode value, PipelineValueType item, out string? problem)
    {
        problem = null;
        IEnumerable<JsonNode?> items = value switch
        {
            JsonArray array => array,
            JsonValue when value.GetValueKind() == JsonValueKind.String =>
                value.GetValue<string>().Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(s => (JsonNode?)JsonValue.Create(s)),
            _ => [value],
        };
        var result = new JsonArray();
        foreach (var element in items)
        {
            var coerced = Coerce(element, item, out var elementProblem);
            if (elementProblem is not null || coerced is null)
            {
                problem = $"every item {elementProblem ?? "must have a value"}";
                return null;
            }

            result.Add(coerced);
        }

        return result;
    }
}
