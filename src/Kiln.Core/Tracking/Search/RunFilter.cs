using System.Globalization;
using System.Text.RegularExpressions;

namespace Kiln.Core.Tracking.Search;

/// <summary>
/// An MLflow search filter: clauses joined by AND, each <c>entity.key operator value</c>, e.g.
/// <c>metrics.auc &gt;= 0.8 AND params.algorithm = 'lightgbm' AND attributes.status = 'FINISHED'</c>.
/// Numbers compare with = != &lt; &lt;= &gt; &gt;=; text with = != LIKE ILIKE (% and _ wildcards).
/// </summary>
public sealed class RunFilter
{
    private readonly IReadOnlyList<Clause> _clauses;

    private RunFilter(IReadOnlyList<Clause> clauses) => _clauses = clauses;

    /// <summary>A filter that keeps every run.</summary>
    public static RunFilter All { get; } = new([]);

    /// <summary>Parses a filter; throws a <see cref="KilnException"/> naming <c>filter</c> and the position when malformed.</summary>
    public static RunFilter Parse(string? text)
    {
        const string field = "filter";
        if (string.IsNullOrWhiteSpace(text))
        {
            return All;
        }

        var tokens = SearchTokenizer.Tokenize(text, field);
        var clauses = new List<Clause>();
        var i = 0;
        while (true)
        {
            var runField = ReadField(tokens, ref i, field);
            var op = Next(tokens, ref i, field, "an operator");
            var opText = op.Kind == SearchTokenizer.Kind.Operator ? op.Text
                : op.Kind == SearchTokenizer.Kind.Identifier && op.Text.ToUpperInvariant() is "LIKE" or "ILIKE" ? op.Text.ToUpperInvariant()
                : throw KilnException.Invalid(field, $"expected an operator at position {op.Position}, got '{op.Text}'.");
            var value = Next(tokens, ref i, field, "a value");
            clauses.Add(MakeClause(runField, opText, value, field));
            if (i == tokens.Count)
            {
                break;
            }

            var and = tokens[i++];
            if (and.Kind != SearchTokenizer.Kind.Identifier || !and.Text.Equals("and", StringComparison.OrdinalIgnoreCase))
            {
                throw KilnException.Invalid(field, $"expected AND at position {and.Position}, got '{and.Text}' (only AND is supported, as in MLflow).");
            }
        }

        return new RunFilter(clauses);
    }

    /// <summary>Whether a run satisfies every clause.</summary>
    public bool Matches(Run run) => _clauses.All(c => c.Matches(run));

    /// <summary>The fields the clauses read: all a store must load of each run to evaluate the filter.</summary>
    public IEnumerable<RunField> Fields => _clauses.Select(c => c.Field);

    internal static RunField ReadField(List<SearchTokenizer.Token> tokens, ref int i, string field)
    {
        var entity = Next(tokens, ref i, field, "a field such as metrics.auc");
        if (entity.Kind != SearchTokenizer.Kind.Identifier)
        {
            throw KilnException.Invalid(field, $"expected a field such as metrics.auc at position {entity.Position}.");
        }

        var dot = Next(tokens, ref i, field, "'.'");
        if (dot.Kind != SearchTokenizer.Kind.Dot)
        {
            throw KilnException.Invalid(field, $"expected '.' after '{entity.Text}' at position {dot.Position}.");
        }

        var key = Next(tokens, ref i, field, "a key");
        var keyText = key.Kind is SearchTokenizer.Kind.Identifier or SearchTokenizer.Kind.QuotedIdentifier or SearchTokenizer.Kind.String
            ? key.Text
            : throw KilnException.Invalid(field, $"expected a key after '{entity.Text}.' at position {key.Position}.");
        return RunField.Parse(entity.Text, keyText, field);
    }

    private static SearchTokenizer.Token Next(List<SearchTokenizer.Token> tokens, ref int i, string field, string expected) =>
        i < tokens.Count ? tokens[i++] : throw KilnException.Invalid(field, $"ends where {expected} was expected.");

    private static Clause MakeClause(RunField runField, string op, SearchTokenizer.Token value, string field)
    {
        if (runField.IsNumeric)
        {
            if (value.Kind != SearchTokenizer.Kind.Number || op is "LIKE" or "ILIKE")
            {
                throw KilnException.Invalid(field, $"{Describe(runField)} is numeric: compare it with = != < <= > >= and a number.");
            }

            var number = double.Parse(value.Text, CultureInfo.InvariantCulture);
            return new Clause(runField, run => runField.Read(run) is double actual && CompareNumbers(actual, op, number));
        }

        if (value.Kind != SearchTokenizer.Kind.String || op is "<" or "<=" or ">" or ">=")
        {
            throw KilnException.Invalid(field, $"{Describe(runField)} is text: compare it with =, !=, LIKE or ILIKE and a quoted string.");
        }

        var text = value.Text;
        Func<string, bool> test = op switch
        {
            "=" => actual => actual == text,
            "!=" => actual => actual != text,
            "LIKE" => Like(text, RegexOptions.None),
            _ => Like(text, RegexOptions.IgnoreCase),
        };
        return new Clause(runField, run => runField.Read(run) is string actual && test(actual));
    }

    private static bool CompareNumbers(double actual, string op, double expected) => op switch
    {
        "=" => actual == expected,
        "!=" => actual != expected,
        "<" => actual < expected,
        "<=" => actual <= expected,
        ">" => actual > expected,
        _ => actual >= expected,
    };

    private static Func<string, bool> Like(string pattern, RegexOptions options)
    {
        var regex = new Regex("^" + Regex.Escape(pattern).Replace("%", ".*", StringComparison.Ordinal).Replace("_", ".", StringComparison.Ordinal) + "$",
            options | RegexOptions.CultureInvariant | RegexOptions.Singleline, TimeSpan.FromMilliseconds(100));
        return regex.IsMatch;
    }

    private static string Describe(RunField field) => $"{field.Kind.ToString().ToLowerInvariant()}s.{field.Key}";

    private sealed record Clause(RunField Field, Func<Run, bool> Matches);
}
