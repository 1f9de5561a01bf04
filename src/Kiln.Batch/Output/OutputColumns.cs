using Kiln.Batch.Scoring;

namespace Kiln.Batch.Output;

/// <summary>The columns every output starts with, and the check that kept and output columns do not collide with them.</summary>
internal static class OutputColumns
{
    public const string RequestId = "request_id";
    public const string Row = "row";
    public const string ModelVersion = "model_version";

    public static IReadOnlyList<string> Of(IReadOnlyList<string> keep, OutputLayout layout)
    {
        var names = new List<string> { RequestId, Row, ModelVersion };
        names.AddRange(keep);
        names.AddRange(layout.Columns.Select(c => c.Name));
        var clash = names.GroupBy(n => n, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (clash is not null)
        {
            throw new Core.KilnException(
                $"keep-columns: the output would have two columns named '{clash.Key}' (every output has {RequestId}, {Row} and {ModelVersion}, then the kept columns, then the model's outputs: {string.Join(", ", layout.Columns.Select(c => c.Name))}).");
        }

        return names;
    }
}
