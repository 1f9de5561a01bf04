using System.Globalization;

namespace Kiln.Pipelines.Expressions;

/// <summary>
/// Parses the expression language of pipeline files, a small subset of GitHub Actions' expressions:
/// <c>||</c>, <c>&amp;&amp;</c>, <c>==</c>, <c>!=</c>, <c>&lt;</c>, <c>&lt;=</c>, <c>&gt;</c>, <c>&gt;=</c>, <c>!</c>, parentheses,
/// numbers, single-quoted strings, <c>true</c>, <c>false</c>, <c>null</c> and dotted context paths. Written by hand
/// because it is this small and its errors must point at a column of the file.
/// </summary>
public sealed class ExpressionParser
{
    private readonly string _text;
    private int _position;

    private ExpressionParser(string text) => _text = text;

    /// <summary>Parses <paramref name="text"/>; throws <see cref="ExpressionException"/> with the column at fault.</summary>
    public static Expression Parse(string text)
    {
        var parser = new ExpressionParser(text);
        parser.SkipSpace();
        if (parser.AtEnd)
        {
            throw new ExpressionException("the expression is empty", 0);
        }

        var expression = parser.ParseOr();
        parser.SkipSpace();
        return parser.AtEnd ? expression : throw new ExpressionException($"unexpected '{parser._text[parser._position..]}'", parser._position);
    }

    private bool AtEnd => _position >= _text.Length;

    private Expression ParseOr() => ParseBinary(ParseAnd, "||");

    private Expression ParseAnd() => ParseBinary(ParseEquality, "&&");

    private Expression ParseEquality() => ParseBinary(ParseComparison, "==", "!=");

    private Expression ParseComparison() => ParseBinary(ParseUnary, "<=", ">=", "<", ">");

    /// <summary>A left-associative chain of <paramref name="operand"/>s joined by any of <paramref name="operators"/>.</summary>
    private Expression ParseBinary(Func<Expression> operand, params string[] operators)
    {
        var left = operand();
        while (TryOperator(operators) is (string op, int column))
        {
            left = new BinaryExpression(op, left, operand(), column);
        }

        return left;
    }

    private Expression ParseUnary()
    {
        SkipSpace();
        if (Peek('!') && !PeekAt(1, '='))
        {
            var column = _position++;
            return new NotExpression(ParseUnary(), column);
        }

        return ParsePrimary();
    }

    private Expression ParsePrimary()
    {
        SkipSpace();
        if (AtEnd)
        {
            throw new ExpressionException("the expression ends where a value was expected", _position);
        }

        var start = _position;
        var c = _text[_position];
        if (c == '(')
        {
            _position++;
            var inner = ParseOr();
            SkipSpace();
            return Peek(')') ? Advance(inner) : throw new ExpressionException("a '(' is not closed", start);
        }

        if (c == '\'')
        {
            return new LiteralExpression(ReadString(), start);
        }

        if (char.IsAsciiDigit(c) || (c == '-' && _position + 1 < _text.Length && char.IsAsciiDigit(_text[_position + 1])))
        {
            _position++;
            while (!AtEnd && (char.IsAsciiDigit(_text[_position]) || _text[_position] is '.' or 'e' or 'E'
                   || (_text[_position] is '+' or '-' && _text[_position - 1] is 'e' or 'E')))
            {
                _position++;
            }

            var number = _text[start.._position];
            return double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
                ? new LiteralExpression(value, start)
                : throw new ExpressionException($"'{number}' is not a number", start);
        }

        if (IsIdentifierStart(c))
        {
            var segments = new List<string> { ReadIdentifier() };
            while (Peek('.'))
            {
                _position++;
                if (AtEnd || !IsIdentifierStart(_text[_position]))
                {
                    throw new ExpressionException("a name must follow '.'", _position);
                }

                segments.Add(ReadIdentifier());
            }

            return segments is [var word] && word is "true" or "false" or "null"
                ? new LiteralExpression(word switch { "true" => true, "false" => false, _ => null }, start)
                : new PathExpression(segments, start);
        }

        throw new ExpressionException($"unexpected '{c}'", start);
    }

    private string ReadString()
    {
        var start = _position++;
        var value = new System.Text.StringBuilder();
        while (!AtEnd)
        {
            var c = _text[_position++];
            if (c != '\'')
            {
                value.Append(c);
            }
            else if (Peek('\''))
            {
                value.Append('\''); // '' inside a string is one quote, as in GitHub Actions
                _position++;
            }
            else
            {
                return value.ToString();
            }
        }

        throw new ExpressionException("a string is not closed (strings are in single quotes)", start);
    }

    private string ReadIdentifier()
    {
        var start = _position;
        while (!AtEnd && (IsIdentifierStart(_text[_position]) || char.IsAsciiDigit(_text[_position]) || _text[_position] == '-'))
        {
            _position++;
        }

        return _text[start.._position];
    }

    private (string Operator, int Column)? TryOperator(string[] operators)
    {
        SkipSpace();
        foreach (var op in operators)
        {
            if (string.CompareOrdinal(_text, _position, op, 0, op.Length) == 0 && !(op is "<" or ">" && PeekAt(1, '=')))
            {
                var column = _position;
                _position += op.Length;
                return (op, column);
            }
        }

        return null;
    }

    private Expression Advance(Expression expression)
    {
        _position++;
        return expression;
    }

    private bool Peek(char c) => !AtEnd && _text[_position] == c;

    private bool PeekAt(int offset, char c) => _position + offset < _text.Length && _text[_position + offset] == c;

    private void SkipSpace()
    {
        while (!AtEnd && char.IsWhiteSpace(_text[_position]))
        {
            _position++;
        }
    }

    private static bool IsIdentifierStart(char c) => char.IsAsciiLetter(c) || c == '_';
}

/// <summary>An expression that does not parse or cannot be evaluated; <see cref="Column"/> is 0-based within the expression.</summary>
public sealed class ExpressionException(string message, int column) : Exception(message)
{
    public int Column { get; } = column;
}
