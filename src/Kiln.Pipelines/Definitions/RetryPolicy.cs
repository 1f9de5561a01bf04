namespace Kiln.Pipelines.Definitions;

/// <summary>
/// How often a failed step is tried again and how long it waits first: <see cref="Backoff"/> before the
/// first retry, doubling each time, never more than <see cref="MaxDelay"/>. No jitter, so a schedule can be
/// read off the run and tested exactly.
/// </summary>
public sealed record RetryPolicy(int Limit, TimeSpan Backoff, TimeSpan MaxDelay)
{
    public static readonly TimeSpan DefaultBackoff = TimeSpan.FromSeconds(10);

    public static readonly TimeSpan DefaultMaxDelay = TimeSpan.FromMinutes(10);

    /// <summary>No retries.</summary>
    public static readonly RetryPolicy None = new(0, DefaultBackoff, DefaultMaxDelay);

    /// <summary>The wait before retry number <paramref name="retry"/> (1 for the first retry).</summary>
    public TimeSpan DelayBefore(int retry)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(retry, 1);
        var factor = Math.Pow(2, Math.Min(retry - 1, 30));
        var delay = Backoff.TotalMilliseconds * factor;
        return delay >= MaxDelay.TotalMilliseconds ? MaxDelay : TimeSpan.FromMilliseconds(delay);
    }
}
