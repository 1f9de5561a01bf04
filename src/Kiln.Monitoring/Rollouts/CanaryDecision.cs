namespace Kiln.Monitoring.Rollouts;

/// <summary>What to do with a canary now.</summary>
/// <param name="Verdict">Hold, advance, complete or roll back.</param>
/// <param name="Reason">One human-readable sentence with the numbers behind the verdict.</param>
/// <param name="State">The state to persist: unchanged on hold and rollback, the next step (started now) on advance.</param>
/// <param name="CanaryPercent">The canary's traffic share to apply, in percent: 0 after a rollback, 100 when complete.</param>
/// <param name="Checks">Every check's outcome, for dashboards and audit logs.</param>
/// <param name="HoldReason">Why it holds, when it does.</param>
/// <param name="FailedCheck">The check that rolled it back, when it did.</param>
public sealed record CanaryDecision(
    CanaryVerdict Verdict,
    string Reason,
    CanaryState State,
    double CanaryPercent,
    IReadOnlyList<CanaryCheckResult> Checks,
    CanaryHoldReason? HoldReason = null,
    CanaryCheck? FailedCheck = null);

/// <summary>The canary engine's verdicts.</summary>
public enum CanaryVerdict
{
    /// <summary>Stay at the current step.</summary>
    Hold,

    /// <summary>Move to the next step.</summary>
    Advance,

    /// <summary>The last step passed: send all traffic to the canary.</summary>
    Complete,

    /// <summary>A check failed: send all traffic back to the primary.</summary>
    Rollback,
}

/// <summary>Why a canary holds.</summary>
public enum CanaryHoldReason
{
    /// <summary>The step interval has not elapsed.</summary>
    Waiting,

    /// <summary>The interval elapsed but the canary has too few requests for its checks.</summary>
    InsufficientTraffic,

    /// <summary>Several intervals elapsed with too few requests: traffic is not reaching the canary.</summary>
    TrafficStarved,

    /// <summary>A check lacks the primary's side (no primary requests or latency).</summary>
    MissingBaseline,

    /// <summary>The quality check is required to promote and has too few labels.</summary>
    QualityPending,
}
