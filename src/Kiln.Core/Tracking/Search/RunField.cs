namespace Kiln.Core.Tracking.Search;

/// <summary>What a filter clause or an ordering looks at: a metric, a param, a tag, or a run attribute.</summary>
public enum RunFieldKind
{
    /// <summary>A metric's latest value.</summary>
    Metric,
    /// <summary>A param.</summary>
    Param,
    /// <summary>A tag.</summary>
    Tag,
    /// <summary>A run attribute: status, run_name, run_id, start_time, end_time.</summary>
    Attribute,
}

/// <summary>A field of a run named in a search, e.g. <c>metrics.auc</c>.</summary>
/// <param name="Kind">Which part of the run.</param>
/// <param name="Key">The metric, param, tag or attribute name.</param>
public sealed record RunField(RunFieldKind Kind, string Key)
{
    private static readonly string[] Attributes = ["status", "run_name", "run_id", "start_time", "end_time", "experiment_id"];

    /// <summary>Whether the field holds numbers (metrics and times) rather than text.</summary>
    public bool IsNumeric => Kind == RunFieldKind.Metric || (Kind == RunFieldKind.Attribute && Key is "start_time" or "end_time");

    /// <summary>Reads the field of a run: a double for numeric fields, a string otherwise, null when absent.</summary>
    public object? Read(Run run) => Kind switch
    {
        RunFieldKind.Metric => run.Metrics.TryGetValue(Key, out var metric) ? metric : null,
        RunFieldKind.Param => run.Params.GetValueOrDefault(Key),
        RunFieldKind.Tag => run.Tags.GetValueOrDefault(Key),
        _ => Key switch
        {
            "status" => run.Status.ToString().ToUpperInvariant(),
            "run_name" => run.Name,
            "run_id" => run.Id,
            "experiment_id" => run.ExperimentId,
            "start_time" => (double)run.StartTime.ToUnixTimeMilliseconds(),
            "end_time" => run.EndTime is { } end ? end.ToUnixTimeMilliseconds() : null,
            _ => null,
        },
    };

    /// <summary>Parses <c>metrics.auc</c>, <c>params.`learning rate`</c>, <c>attributes.status</c>, …</summary>
    public static RunField Parse(string entity, string key, string field)
    {
        var kind = entity.ToLowerInvariant() switch
        {
            "metric" or "metrics" => RunFieldKind.Metric,
            "param" or "params" or "parameter" or "parameters" => RunFieldKind.Param,
            "tag" or "tags" => RunFieldKind.Tag,
            "attribute" or "attributes" or "attr" or "run" => RunFieldKind.Attribute,
            _ => throw KilnException.Invalid(field, $"'{entity}' is not metrics, params, tags or attributes."),
        };
        if (kind == RunFieldKind.Attribute && !Attributes.Contains(key))
        {
            throw KilnException.Invalid(field, $"'{key}' is not a run attribute ({string.Join(", ", Attributes)}).");
        }

        return new RunField(kind, key);
    }
}
