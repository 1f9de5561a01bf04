namespace Kiln.Core.Tracking;

/// <summary>One logged value of a metric: metrics are append-only series.</summary>
/// <param name="Key">The metric's name.</param>
/// <param name="Value">The value (NaN and infinities allowed, as MLflow allows them).</param>
/// <param name="Timestamp">When it was measured.</param>
/// <param name="Step">The training step (0 when not stepped).</param>
public sealed record MetricPoint(string Key, double Value, DateTimeOffset Timestamp, long Step);
