namespace Kiln.Monitoring.Traffic;

/// <summary>
/// The traffic of a deployment (or one of its variants) over a recent window: request and error
/// counts, and latency quantiles in seconds estimated from a histogram (null without requests).
/// </summary>
public sealed record TrafficSnapshot(
    TimeSpan Window,
    long Requests,
    long ServerErrors,
    long ClientErrors,
    double? P50Seconds,
    double? P95Seconds,
    double? P99Seconds)
{
    /// <summary>Server errors (status 500 and above) over requests; 0 without requests.</summary>
    public double ErrorRate => Requests == 0 ? 0 : (double)ServerErrors / Requests;

    /// <summary>Client errors (status 400 to 499) over requests; 0 without requests.</summary>
    public double ClientErrorRate => Requests == 0 ? 0 : (double)ClientErrors / Requests;

    /// <summary>Requests per second over the window.</summary>
    public double RequestsPerSecond => Window > TimeSpan.Zero ? Requests / Window.TotalSeconds : 0;
}
