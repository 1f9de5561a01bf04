using System.Globalization;
using System.Text;

namespace Kiln.Core.Tracking.Search;

/// <summary>Splits MLflow search expressions into identifiers, quoted strings, numbers and operators.</summary>
internal static class SearchTokenizer
{
    public enum Kind
    {
        Identifier,
        QuotedIdentifier,
        String,
        Number,
        Operator,
        Dot,
    }

    public readonly record struct Token(Kind Kind, string Text, int Position);

    public static List<Token> Tokenize(string text, string field)
    {
        var tokens = new List<Token>();
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (c == '.')
            {
                tokens.Add(new Token(Kind.Dot, ".", i++));
            }
            else if (c is '\'' or '"' or '`')
            {
                var start = i;
                var value = ReadQuoted(text, ref i, field);
                tokens.Add(new Token(c == '\'' ? Kind.String : c == '"' ? Kind.String : Kind.QuotedIdentifier, value, start));
            }
            else if (c is '=' or '!' or '<' or '>')
            {
                var start = i++;
                if (i < text.Length && text[i] == '=')
                {
                    i++;
                }

                var op = text[start..i];
                if (op == "!")
                {
                    throw KilnException.Invalid(field, $"unexpected '!' at position {start}.");
                }

                tokens.Add(new Token(Kind.Operator, op == "==" ? "=" : op, start));
            }
            else if (char.IsDigit(c) || ((c is '-' or '+') && i + 1 < text.Length && (char.IsDigit(text[i + 1]) || text[i + 1] == '.')))
            {
                var start = i++;
                while (i < text.Length && (char.IsDigit(text[i]) || text[i] is '.' or 'e' or 'E' || (text[i] is '-' or '+' && text[i - 1] is 'e' or 'E')))
                {
                    i++;
                }

                var number = text[start..i];
                if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out _))
                {
                    throw KilnException.Invalid(field, $"'{number}' at position {start} is not a number.");
                }

                tokens.Add(new Token(Kind.Number, number, start));
            }
            else if (char.IsLetter(c) || c == '_')
            {
                var start = i;
                while (i < text.Length && (char.IsLetterOrDigit(text[i]) || text[i] is '_' or '-' or '/' or ':'))
                {
                    i++;
                }

                tokens.Add(new Token(Kind.Identifier, text[start..i], start));
            }
            else
            {
                throw KilnException.Invalid(field, $"unexpected '{c}' at position {i}.");
            }
        }

        return tokens;
    }

    private static string ReadQuoted(string text, ref int i, string field)
    {
        var quote = text[i];
        var start = i++;
        var value = new StringBuilder();
        while (i < text.Length)
        {
            if (text[i] == quote)
            {
                if (i + 1 < text.Length && text[i + 1] == quote)
                {
                    value.Append(quote);
                    i += 2;
                    continue;
                }

                i++;
                return value.ToString();
            }

            value.Append(text[i++]);
        }

        throw KilnException.Invalid(field, $"the quote at position {start} is never closed.");
    }
}
