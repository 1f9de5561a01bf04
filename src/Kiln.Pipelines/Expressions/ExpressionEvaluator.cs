using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Kiln.Pipelines.Expressions;

/// <summary>
/// Evaluates an expression against a run's values (parameters, step outputs, the trigger), all JSON.
/// Comparisons are strict: numbers with numbers, strings with strings (ordinal); <c>==</c> across types is
/// false. <c>&amp;&amp;</c>, <c>||</c> and <c>!</c> use truthiness: false, null, 0 and '' are false.
/// </summary>
public static class ExpressionEvaluator
{
    public static JsonNode? Evaluate(Expression expression, IExpressionScope scope) => expression switch
    {
        LiteralExpression literal => literal.Value switch
        {
            null => null,
            bool b => JsonValue.Create(b),
            double d => JsonValue.Create(d),
            string s => JsonValue.Create(s),
            var other => throw new InvalidOperationException($"Unexpected literal {other}."),
        },
        PathExpression path => scope.Resolve(path.Segments)?.DeepClone(),
        NotExpression not => JsonValue.Create(!IsTruthy(Evaluate(not.Operand, scope))),
        BinaryExpression { Operator: "&&" } and => JsonValue.Create(IsTruthy(Evaluate(and.Left, scope)) && IsTruthy(Evaluate(and.Right, scope))),
        BinaryExpression { Operator: "||" } or => JsonValue.Create(IsTruthy(Evaluate(or.Left, scope)) || IsTruthy(Evaluate(or.Right, scope))),
        BinaryExpression binary => JsonValue.Create(Compare(binary, Evaluate(binary.Left, scope), Evaluate(binary.Right, scope))),
        _ => throw new InvalidOperationException($"Unexpected expression {expression}."),
    };

    /// <summary>False, null, 0, NaN and the empty string are false; everything else is true.</summary>
    public static bool IsTruthy(JsonNode? value) => value?.GetValueKind() switch
    {
        null or JsonValueKind.Null or JsonValueKind.False => false,
        JsonValueKind.Number => PipelineValues.TryGetNumber(value, out var d) && d != 0 && !double.IsNaN(d),
        JsonValueKind.String => value.GetValue<string>().Length > 0,
        _ => true,
    };

    /// <summary>The value as text, the way it is spliced into a string template.</summary>
    public static string ToText(JsonNode? value) => value?.GetValueKind() switch
    {
        null or JsonValueKind.Null => "",
        JsonValueKind.String => value.GetValue<string>(),
        JsonValueKind.Number => PipelineValues.TryGetNumber(value, out var d) ? d.ToString("R", CultureInfo.InvariantCulture) : value.ToJsonString(),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => value.ToJsonString(),
    };

    private static bool Compare(BinaryExpression binary, JsonNode? left, JsonNode? right)
    {
        var leftKind = Kind(left);
        var rightKind = Kind(right);
        if (binary.Operator is "==" or "!=")
        {
            var equal = leftKind == rightKind && leftKind switch
            {
                JsonValueKind.Null or JsonValueKind.True or JsonValueKind.False => true,
                JsonValueKind.Number => Number(left) == Number(right),
                JsonValueKind.String => string.Equals(left!.GetValue<string>(), right!.GetValue<string>(), StringComparison.Ordinal),
                _ => JsonNode.DeepEquals(left, right),
            };
            return binary.Operator == "==" ? equal : !equal;
        }

        var order = (leftKind, rightKind) switch
        {
            (JsonValueKind.Number, JsonValueKind.Number) => Number(left).CompareTo(Number(right)),
            (JsonValueKind.String, JsonValueKind.String) => string.CompareOrdinal(left!.GetValue<string>(), right!.GetValue<string>()),
            _ => throw new ExpressionException(
                $"'{binary.Operator}' compares two numbers or two strings, not {Describe(leftKind)} and {Describe(rightKind)}", binary.Column),
        };
        return binary.Operator switch
        {
            "<" => order < 0,
            "<=" => order <= 0,
            ">" => order > 0,
            _ => order >= 0,
        };
    }

    private static double Number(JsonNode? value) => PipelineValues.TryGetNumber(value, out var number) ? number : double.NaN;

    private static JsonValueKind Kind(JsonNode? value) => value?.GetValueKind() ?? JsonValueKind.Null;

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Null => "null",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Number => "a number",
        JsonValueKind.String => "a string",
        JsonValueKind.Array => "a list",
        _ => "an object",
    };
}

/// <summary>The values an expression can read: <c>params</c>, <c>steps</c>, <c>trigger</c>, <c>run</c>, <c>pipeline</c>.</summary>
public interface IExpressionScope
{
    /// <summary>The value at a dotted path, or null when there is none.</summary>
    JsonNode? Resolve(IReadOnlyList<string> path);
}
