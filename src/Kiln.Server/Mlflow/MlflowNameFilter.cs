using System.Text.RegularExpressions;
using Kiln.Core;

namespace Kiln.Server.Mlflow;

/// <summary>
/// The small filter grammar of MLflow's experiment and registry searches: clauses joined by AND,
/// each <c>name|tags.KEY|run_id OP 'value'</c> with <c>= != LIKE ILIKE</c>.
/// </summary>
internal sealed partial class MlflowNameFilter
{
    private readonly List<(string Field, string Op, string Value)> _clauses = [];

    public static MlflowNameFilter Parse(string? filter, params string[] fields)
    {
        var result = new MlflowNameFilter();
        if (string.IsNullOrWhiteSpace(filter))
        {
            return result;
        }

        foreach (var clause in AndPattern().Split(filter.Trim()))
        {
            var match = ClausePattern().Match(clause);
            if (!match.Success)
            {
                throw KilnException.Invalid("filter", $"cannot parse '{clause}': expected e.g. \"name LIKE '%bank%'\" or \"tags.team = 'risk'\".");
            }

            var field = match.Groups["field"].Value.Replace("attributes.", "", StringComparison.Ordinal).Replace("`", "", StringComparison.Ordinal).Replace("\"", "", StringComparison.Ordinal);
            if (!field.StartsWith("tags.", StringComparison.Ordinal) && !fields.Contains(field, StringComparer.Ordinal))
            {
                throw KilnException.Invalid("filter", $"'{field}' cannot be filtered on here (use {string.Join(", ", fields)} or tags.KEY).");
            }

            result._clauses.Add((field, match.Groups["op"].Value.ToUpperInvariant(), match.Groups["value"].Value));
        }

        return result;
    }

    public bool Matches(Func<string, string?> field, IReadOnlyDictionary<string, string> tags) => _clauses.All(c =>
    {
        var actual = c.Field.StartsWith("tags.", StringComparison.Ordinal) ? tags.GetValueOrDefault(c.Field[5..]) : field(c.Field);
        return c.Op switch
        {
            "=" => actual == c.Value,
            "!=" => actual is not null && actual != c.Value,
            "LIKE" => actual is not null && Like(c.Value, RegexOptions.None).IsMatch(actual),
            _ => actual is not null && Like(c.Value, RegexOptions.IgnoreCase).IsMatch(actual),
        };
    });

    private static Regex Like(string pattern, RegexOptions options) =>
        new("^" + Regex.Escape(pattern).Replace("%", ".*", StringComparison.Ordinal).Replace("_", ".", StringComparison.Ordinal) + "$",
            options | RegexOptions.CultureInvariant | RegexOptions.Singleline, TimeSpan.FromSeconds(1));

    [GeneratedRegex(@"\s+AND\s+", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex AndPattern();

    [GeneratedRegex("""^\s*(?<field>(attributes\.)?(name|run_id|source_path)|tags\.(`[^`]+`|"[^"]+"|[\w.\-]+))\s*(?<op>!=|=|LIKE|ILIKE)\s*'(?<value>[^']*)'\s*$""", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ClausePattern();
}
