namespace Kiln.Monitoring.Rollouts;

/// <summary>One variant's traffic in the current canary step (counted from the step's start, not cumulative across steps).</summary>
/// <param name="Requests">Requests served.</param>
/// <param name="ServerErrors">Requests that failed on the server's side (5xx, scoring errors); client errors are not the model's fault.</param>
/// <param name="P99Seconds">The 99th percentile latency in seconds, or null when unknown.</param>
/// <param name="Labelled">Predictions whose ground truth has arrived.</param>
/// <param name="MetricValue">The quality metric over those labelled predictions, or null when not computed.</param>
public readonly record struct VariantWindowStats(long Requests, long ServerErrors, double? P99Seconds = null, long Labelled = 0, double? MetricValue = null)
{
    /// <summary>The share of requests that failed, or NaN with no requests.</summary>
    public double ErrorRate => Requests > 0 ? (double)ServerErrors / Requests : double.NaN;
}
