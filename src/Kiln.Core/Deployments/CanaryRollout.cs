namespace Kiln.Core.Deployments;

/// <summary>A canary rollout in progress: which variant is the canary, the policy it is analysed by, and where it stands.</summary>
/// <param name="Variant">The canary variant's name.</param>
/// <param name="Policy">The steps, interval and checks.</param>
/// <param name="Step">The index of the current step in <see cref="CanaryPolicySpec.Steps"/>.</param>
/// <param name="StepStartedAt">When the current step began (its window of traffic starts here).</param>
/// <param name="Automatic">Whether the analysis moves the canary on its own (false: only by hand).</param>
/// <param name="PromoteAlias">The alias to point at the canary's version when it is promoted, if any.</param>
public sealed record CanaryRollout(string Variant, CanaryPolicySpec Policy, int Step, DateTimeOffset StepStartedAt, bool Automatic, string? PromoteAlias);

/// <summary>How a canary is stepped up and judged (all optional in requests; defaults apply).</summary>
/// <param name="Steps">Canary traffic percentages, in order, ending at 100 (e.g. 5, 25, 50, 100).</param>
/// <param name="Interval">How long each step lasts before it is judged.</param>
/// <param name="MinRequests">The fewest canary requests in a step for a decision.</param>
/// <param name="MaxErrorRateIncrease">The canary's error rate may exceed the primary's by at most this much (absolute), and only if the excess is not significant.</param>
/// <param name="MaxLatencyRatio">The canary's p99 may be at most this multiple of the primary's.</param>
/// <param name="QualityMetric">With labels: the metric compared (e.g. accuracy, roc_auc), or null for no quality check.</param>
/// <param name="QualityMargin">The canary may be worse than the primary on the metric by at most this much.</param>
/// <param name="MinLabels">The fewest labels per variant before quality is judged.</param>
public sealed record CanaryPolicySpec(
    IReadOnlyList<int> Steps,
    TimeSpan Interval,
    int MinRequests,
    double MaxErrorRateIncrease,
    double MaxLatencyRatio,
    string? QualityMetric,
    double QualityMargin,
    int MinLabels)
{
    /// <summary>5 → 25 → 50 → 100 %, five minutes a step, 100 requests, error-rate and latency checks, quality on accuracy when labelled.</summary>
    public static CanaryPolicySpec Default { get; } = new([5, 25, 50, 100], TimeSpan.FromMinutes(5), 100, 0.005, 1.5, "accuracy", 0.02, 200);
}
