namespace Kiln.Core.Tracking;

/// <summary>What a batch log adds to a run: metric points, params (write-once) and tags.</summary>
/// <param name="Metrics">Metric points to append.</param>
/// <param name="Params">Params to set; a param already set to another value is an error.</param>
/// <param name="Tags">Tags to set or overwrite.</param>
public sealed record RunLog(
    IReadOnlyList<MetricPoint>? Metrics = null,
    IReadOnlyDictionary<string, string>? Params = null,
    IReadOnlyDictionary<string, string>? Tags = null);
