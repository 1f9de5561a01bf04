namespace Kiln.Monitoring.Rollouts;

/// <summary>The outcome of one canary check.</summary>
/// <param name="Check">Which check.</param>
/// <param name="Outcome">Passed, failed or pending.</param>
/// <param name="Detail">What was compared, with the numbers.</param>
/// <param name="Canary">The canary's value (error rate, p99 seconds or metric), when known.</param>
/// <param name="Primary">The primary's value, when known.</param>
public sealed record CanaryCheckResult(CanaryCheck Check, CanaryCheckOutcome Outcome, string Detail, double? Canary = null, double? Primary = null);

/// <summary>The canary checks.</summary>
public enum CanaryCheck
{
    /// <summary>Server error rate, by a one-sided two-proportion z-test.</summary>
    ErrorRate,

    /// <summary>p99 latency ratio.</summary>
    Latency,

    /// <summary>Model quality on labelled predictions.</summary>
    Quality,
}

/// <summary>A check's outcome.</summary>
public enum CanaryCheckOutcome
{
    /// <summary>Not enough data to evaluate yet.</summary>
    Pending,

    /// <summary>The canary is acceptable on this check.</summary>
    Passed,

    /// <summary>The canary is worse: roll back.</summary>
    Failed,
}
