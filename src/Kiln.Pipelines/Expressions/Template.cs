using System.Text;
using System.Text.Json.Nodes;

namespace Kiln.Pipelines.Expressions;

/// <summary>
/// A value of a pipeline file that may hold <c>${{ expression }}</c>s. A value that is exactly one expression
/// takes the expression's value and type (a number stays a number); otherwise each expression's text is
/// spliced into the string. A value without any is a constant.
/// </summary>
public sealed class Template
{
    private const string Open = "${{";
    private const string Close = "}}";

    private readonly JsonNode? _constant;
    private readonly IReadOnlyList<(string? Text, Expression? Expression)> _parts;
    private readonly IReadOnlyList<Template>? _items;

    private Template(JsonNode? constant, IReadOnlyList<(string? Text, Expression? Expression)> parts, IReadOnlyList<Template>? items = null)
    {
        _constant = constant;
        _parts = parts;
        _items = items;
    }

    /// <summary>True when the value holds no expression.</summary>
    public bool IsConstant => _parts.Count == 0 && _items is null;

    /// <summary>The value when <see cref="IsConstant"/>.</summary>
    public JsonNode? Constant => _constant;

    /// <summary>The single expression, when the whole value is one.</summary>
    public Expression? Whole => _parts is [(null, { } expression)] ? expression : null;

    /// <summary>Every expression in the value.</summary>
    public IEnumerable<Expression> Expressions => _items?.SelectMany(i => i.Expressions)
        ?? _parts.Where(p => p.Expression is not null).Select(p => p.Expression!);

    /// <summary>A constant that is not text (a number, boolean, list or object as written in YAML).</summary>
    public static Template Of(JsonNode? constant) => new(constant, []);

    /// <summary>A list whose items are templates: a constant when none holds an expression, else evaluated item by item.</summary>
    public static Template List(IReadOnlyList<Template> items) => items.All(i => i.IsConstant)
        ? new Template(new JsonArray(items.Select(i => i.Constant?.DeepClone()).ToArray()), [])
        : new Template(null, [], items);

    /// <summary>Parses the <c>${{ }}</c>s of a string; throws <see cref="ExpressionException"/> with the column in <paramref name="text"/>.</summary>
    public static Template Parse(string text)
    {
        if (!text.Contains(Open, StringComparison.Ordinal))
        {
            return new Template(JsonValue.Create(text), []);
        }

        var parts = new List<(string?, Expression?)>();
        var position = 0;
        while (position < text.Length)
        {
            var open = text.IndexOf(Open, position, StringComparison.Ordinal);
            if (open < 0)
            {
                parts.Add((text[position..], null));
                break;
            }

            if (open > position)
            {
                parts.Add((text[position..open], null));
            }

            var close = text.IndexOf(Close, open + Open.Length, StringComparison.Ordinal);
            if (close < 0)
            {
                throw new ExpressionException("'${{' is not closed by '}}'", open);
            }

            try
            {
                parts.Add((null, ExpressionParser.Parse(text[(open + Open.Length)..close])));
            }
            catch (ExpressionException e)
            {
                throw new ExpressionException(e.Message, open + Open.Length + e.Column);
            }

            position = close + Close.Length;
        }

        return new Template(null, parts);
    }

    /// <summary>The value in <paramref name="scope"/>.</summary>
    public JsonNode? Evaluate(IExpressionScope scope)
    {
        if (IsConstant)
        {
            return _constant?.DeepClone();
        }

        if (_items is not null)
        {
            return new JsonArray(_items.Select(i => i.Evaluate(scope)).ToArray());
        }

        if (Whole is { } whole)
        {
            return ExpressionEvaluator.Evaluate(whole, scope);
        }

        var text = new StringBuilder();
        foreach (var (literal, expression) in _parts)
        {
            text.Append(literal ?? ExpressionEvaluator.ToText(ExpressionEvaluator.Evaluate(expression!, scope)));
        }

        return JsonValue.Create(text.ToString());
    }
}
