namespace Kiln.Core.Monitoring;

/// <summary>A named number a client tracks for a deployment, optionally tied to one prediction (Cloudera ML's <c>track_metric</c>).</summary>
/// <param name="Name">The metric's name.</param>
/// <param name="Value">Its value.</param>
/// <param name="Timestamp">When it was observed.</param>
/// <param name="RequestId">The prediction's request id, when the metric belongs to one.</param>
/// <param name="Row">The prediction's row within the request.</param>
public sealed record CustomMetricPoint(string Name, double Value, DateTimeOffset Timestamp, string? RequestId = null, int? Row = null);

/// <summary>Custom metrics per deployment.</summary>
public interface ICustomMetricStore
{
    /// <summary>Appends points in one transaction.</summary>
    Task AppendAsync(string deployment, IReadOnlyList<CustomMetricPoint> points, CancellationToken cancellationToken);

    /// <summary>Reads a deployment's points in [since, until), optionally of one name, in time order.</summary>
    Task<IReadOnlyList<CustomMetricPoint>> ReadAsync(string deployment, string? name, DateTimeOffset since, DateTimeOffset until, CancellationToken cancellationToken);
}
