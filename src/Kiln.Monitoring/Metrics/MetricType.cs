namespace Kiln.Monitoring.Metrics;

/// <summary>The Prometheus metric types Kiln emits.</summary>
public enum MetricType
{
    /// <summary>A monotonically increasing value; the family name ends in <c>_total</c>.</summary>
    Counter,

    /// <summary>A value that goes up and down.</summary>
    Gauge,

    /// <summary>Observations counted into fixed cumulative buckets, with <c>_sum</c> and <c>_count</c>.</summary>
    Histogram,
}
