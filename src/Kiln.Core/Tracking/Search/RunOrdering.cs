namespace Kiln.Core.Tracking.Search;

/// <summary>
/// Orders runs by MLflow order-by clauses (<c>metrics.auc DESC</c>, <c>attributes.start_time</c>);
/// runs lacking a field sort last; ties fall back to newest first, then id.
/// </summary>
public sealed class RunOrdering : IComparer<Run>
{
    private readonly IReadOnlyList<(RunField Field, bool Descending)> _keys;

    private RunOrdering(IReadOnlyList<(RunField, bool)> keys) => _keys = keys;

    /// <summary>Parses order-by clauses; throws a <see cref="KilnException"/> naming <c>orderBy</c> when malformed.</summary>
    public static RunOrdering Parse(IReadOnlyList<string>? clauses)
    {
        const string field = "orderBy";
        var keys = new List<(RunField, bool)>();
        foreach (var clause in clauses ?? [])
        {
            var tokens = SearchTokenizer.Tokenize(clause, field);
            var i = 0;
            var runField = RunFilter.ReadField(tokens, ref i, field);
            var descending = false;
            if (i < tokens.Count)
            {
                descending = tokens[i].Text.ToUpperInvariant() switch
                {
                    "DESC" => true,
                    "ASC" => false,
                    _ => throw KilnException.Invalid(field, $"expected ASC or DESC after the field in '{clause}'."),
                };
                i++;
            }

            if (i != tokens.Count)
            {
                throw KilnException.Invalid(field, $"unexpected text after '{clause[..tokens[i].Position]}'.");
            }

            keys.Add((runField, descending));
        }

        return new RunOrdering(keys);
    }

    /// <summary>The fields the ordering reads (beyond the start time and id it always breaks ties with).</summary>
    public IEnumerable<RunField> Fields => _keys.Select(k => k.Field);

    /// <inheritdoc/>
    public int Compare(Run? x, Run? y)
    {
        if (x is null || y is null)
        {
            return x is null ? (y is null ? 0 : 1) : -1;
        }

        foreach (var (field, descending) in _keys)
        {
            var a = field.Read(x);
            var b = field.Read(y);
            if (a is null || b is null)
            {
                if (a is null && b is null)
                {
                    continue;
                }

                return a is null ? 1 : -1;
            }

            var order = a is double da && b is double db ? da.CompareTo(db) : string.CompareOrdinal(a.ToString(), b.ToString());
            if (order != 0)
            {
                return descending ? -order : order;
            }
        }

        var byStart = y.StartTime.CompareTo(x.StartTime);
        return byStart != 0 ? byStart : string.CompareOrdinal(x.Id, y.Id);
    }
}
