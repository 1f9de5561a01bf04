using System.Text.Json;
using Kiln.Core.Monitoring;

namespace Kiln.Server.Monitoring.Export;

/// <summary>The feature columns of an export, taken from the first row's inputs: name and whether it is a number.</summary>
internal sealed record ExportColumns(IReadOnlyList<(string Name, bool Numeric)> Features)
{
    public static readonly string[] Fixed =
        ["id", "timestamp", "variant", "model", "version", "request_id", "row", "latency_ms", "prediction", "score", "label", "labelled_at"];

    public static ExportColumns Of(PredictionRow? first)
    {
        var features = new List<(string, bool)>();
        if (first is not null)
        {
            using var inputs = JsonDocument.Parse(first.InputsJson);
            foreach (var property in inputs.RootElement.EnumerateObject())
            {
                features.Add((property.Name, property.Value.ValueKind == JsonValueKind.Number));
            }
        }

        return new ExportColumns(features);
    }

    /// <summary>A row's feature values in column order: numbers as double, everything else as text (arrays as JSON).</summary>
    public object?[] Values(PredictionRow row)
    {
        var values = new object?[Features.Count];
        using var inputs = JsonDocument.Parse(row.InputsJson);
        var root = inputs.RootElement;
        for (var i = 0; i < Features.Count; i++)
        {
            var (name, numeric) = Features[i];
            if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
            {
                continue;
            }

            values[i] = numeric && value.ValueKind == JsonValueKind.Number ? value.GetDouble()
                : value.ValueKind == JsonValueKind.String ? value.GetString()
                : value.GetRawText();
        }

        return values;
    }
}
