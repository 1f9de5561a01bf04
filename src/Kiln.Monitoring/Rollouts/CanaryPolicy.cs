namespace Kiln.Monitoring.Rollouts;

/// <summary>How a canary advances and what fails it. The defaults suit a service with a few requests per second.</summary>
public sealed record CanaryPolicy
{
    /// <summary>
    /// The canary's traffic share per step, in percent, strictly increasing in (0, 100]. Passing the last step
    /// completes the rollout (the canary takes all traffic). A final 100 is allowed and only marks that: with no
    /// primary traffic left there is nothing to compare against, so passing the step before it completes.
    /// </summary>
    public IReadOnlyList<double> StepPercents { get; init; } = [5, 25, 50, 100];

    /// <summary>How long each step runs before it can be promoted.</summary>
    public TimeSpan StepInterval { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Requests the canary must serve in a step before its checks count (and before a mid-step rollback).</summary>
    public long MinRequestsPerStep { get; init; } = 100;

    /// <summary>Significance level of the one-sided two-proportion z-test "canary error rate &gt; primary's".</summary>
    public double ErrorRateAlpha { get; init; } = 0.05;

    /// <summary>
    /// The absolute error-rate increase (a fraction: 0.005 is half a percentage point) that a significant
    /// difference must also exceed to fail, so a huge sample cannot fail the canary on a trivial increase.
    /// </summary>
    public double ErrorRateTolerance { get; init; } = 0.005;

    /// <summary>The canary's p99 latency may be at most this multiple of the primary's (plus <see cref="LatencySlack"/>).</summary>
    public double MaxP99Ratio { get; init; } = 1.5;

    /// <summary>Absolute latency slack added to the p99 limit, so sub-millisecond noise cannot fail fast models.</summary>
    public TimeSpan LatencySlack { get; init; } = TimeSpan.FromMilliseconds(2);

    /// <summary>The quality check on labelled predictions, or null to skip it.</summary>
    public CanaryQualityPolicy? Quality { get; init; }

    /// <summary>
    /// After this many step intervals without <see cref="MinRequestsPerStep"/> canary requests the hold is reported
    /// as starved (it still never promotes on missing data).
    /// </summary>
    public int StarvedAfterIntervals { get; init; } = 3;

    /// <summary>Every rule this policy breaks, all at once; empty when valid.</summary>
    /// <returns>The errors.</returns>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (StepPercents is null || StepPercents.Count == 0)
        {
            errors.Add("StepPercents must list at least one step.");
        }
        else
        {
            for (var i = 0; i < StepPercents.Count; i++)
            {
                var step = StepPercents[i];
                if (!(step > 0 && step <= 100) || (i > 0 && step <= StepPercents[i - 1]))
                {
                    errors.Add("StepPercents must be strictly increasing percentages in (0, 100].");
                    break;
                }
            }

            if (StepPercents[0] >= 100)
            {
                errors.Add("StepPercents needs a step below 100: a canary at 100% has no primary to compare against.");
            }
        }

        AddIf(errors, StepInterval <= TimeSpan.Zero, "StepInterval must be positive.");
        AddIf(errors, MinRequestsPerStep < 1, "MinRequestsPerStep must be at least 1.");
        AddIf(errors, !(ErrorRateAlpha > 0 && ErrorRateAlpha < 1), "ErrorRateAlpha must be in (0, 1).");
        AddIf(errors, !(ErrorRateTolerance >= 0 && ErrorRateTolerance < 1), "ErrorRateTolerance must be in [0, 1).");
        AddIf(errors, !(MaxP99Ratio >= 1) || double.IsInfinity(MaxP99Ratio), "MaxP99Ratio must be finite and at least 1.");
        AddIf(errors, LatencySlack < TimeSpan.Zero, "LatencySlack must not be negative.");
        AddIf(errors, StarvedAfterIntervals < 1, "StarvedAfterIntervals must be at least 1.");
        if (Quality is { } quality)
        {
            AddIf(errors, string.IsNullOrWhiteSpace(quality.Metric), "Quality.Metric must be named.");
            AddIf(errors, !(quality.Margin >= 0) || double.IsInfinity(quality.Margin), "Quality.Margin must be finite and non-negative.");
            AddIf(errors, quality.MinLabels < 1, "Quality.MinLabels must be at least 1.");
        }

        return errors;
    }

    /// <summary>The number of steps that are analysed; a final 100% step only marks completion.</summary>
    internal int AnalysisStepCount => StepPercents[^1] >= 100 ? StepPercents.Count - 1 : StepPercents.Count;

    internal void ThrowIfInvalid()
    {
        var errors = Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException("Invalid canary policy: " + string.Join(" ", errors));
        }
    }

    private static void AddIf(List<string> errors, bool condition, string error)
    {
        if (condition)
        {
            errors.Add(error);
        }
    }
}
