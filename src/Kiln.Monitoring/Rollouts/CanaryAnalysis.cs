using System.Globalization;

namespace Kiln.Monitoring.Rollouts;

/// <summary>
/// The canary decision engine: a pure function of the policy, the step state, both variants' stats for the
/// step and the time. A failed check rolls back at once (even mid-step, once the canary has its minimum
/// requests); a step is promoted only when its interval has elapsed and every check has passed; missing data
/// holds, never promotes.
/// </summary>
public static class CanaryAnalysis
{
    /// <summary>Decides what to do with the canary now.</summary>
    /// <param name="policy">The policy.</param>
    /// <param name="state">The current step and when it started.</param>
    /// <param name="primary">The primary's stats since the step started.</param>
    /// <param name="canary">The canary's stats since the step started.</param>
    /// <param name="now">The current time (from the caller's <see cref="TimeProvider"/>).</param>
    /// <returns>The decision, with the state to persist.</returns>
    /// <exception cref="ArgumentException">The policy is invalid or the state's step is outside it.</exception>
    public static CanaryDecision Decide(CanaryPolicy policy, CanaryState state, VariantWindowStats primary, VariantWindowStats canary, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(policy);
        policy.ThrowIfInvalid();
        if (state.StepIndex < 0 || state.StepIndex >= policy.AnalysisStepCount)
        {
            throw new ArgumentException($"Step {state.StepIndex} is outside the policy's {policy.AnalysisStepCount} analysed steps.", nameof(state));
        }

        var percent = policy.StepPercents[state.StepIndex];
        var step = Format($"step {state.StepIndex + 1}/{policy.AnalysisStepCount} ({percent:0.##}%)");
        var quality = CanaryChecks.Quality(policy, primary, canary);
        CanaryCheckResult[] checks = quality is null
            ? [CanaryChecks.ErrorRate(policy, primary, canary), CanaryChecks.Latency(policy, primary, canary)]
            : [CanaryChecks.ErrorRate(policy, primary, canary), CanaryChecks.Latency(policy, primary, canary), quality];

        // Errors and quality are tests that hold on any sample size, so they may roll back mid-step; a p99 over part of
        // a step mostly measures the warm-up of a variant that just got more traffic, so latency is judged at step end.
        var elapsed = now - state.StepStartedAt;
        if (Array.Find(checks, c => c.Outcome == CanaryCheckOutcome.Failed && (c.Check != CanaryCheck.Latency || elapsed >= policy.StepInterval)) is { } failed)
        {
            return new(CanaryVerdict.Rollback, $"Roll back at {step}: {failed.Detail}.", state, 0, checks, FailedCheck: failed.Check);
        }

        if (elapsed < policy.StepInterval)
        {
            return Hold(CanaryHoldReason.Waiting, Format($"Hold at {step}: waiting, {Duration(elapsed)} of {Duration(policy.StepInterval)} elapsed, canary has {canary.Requests} requests."));
        }

        if (canary.Requests < policy.MinRequestsPerStep)
        {
            var starvedAfter = policy.StepInterval * policy.StarvedAfterIntervals;
            return elapsed >= starvedAfter
                ? Hold(CanaryHoldReason.TrafficStarved, Format(
                    $"Hold at {step}: traffic starved, the canary served only {canary.Requests} of {policy.MinRequestsPerStep} requests in {Duration(elapsed)} (≥ {policy.StarvedAfterIntervals} intervals); it will not be promoted without data — check the routing or raise the step's share."))
                : Hold(CanaryHoldReason.InsufficientTraffic, Format(
                    $"Hold at {step}: interval elapsed but the canary has {canary.Requests} of {policy.MinRequestsPerStep} requests needed."));
        }

        var requiredQuality = policy.Quality?.RequiredToPromote == true;
        var latencyJudgeable = canary.Requests >= Math.Max(policy.MinRequestsPerStep, CanaryChecks.MinRequestsForP99);
        if (Array.Find(checks, c => c.Outcome == CanaryCheckOutcome.Pending
            && (c.Check == CanaryCheck.ErrorRate || (c.Check == CanaryCheck.Latency && latencyJudgeable) || (c.Check == CanaryCheck.Quality && requiredQuality))) is { } pending)
        {
            var reason = pending.Check == CanaryCheck.Quality ? CanaryHoldReason.QualityPending : CanaryHoldReason.MissingBaseline;
            return Hold(reason, $"Hold at {step}: {pending.Detail}.");
        }

        var passed = string.Join("; ", checks.Select(c => c.Outcome == CanaryCheckOutcome.Pending ? c.Detail + " (pending, not required)" : c.Detail));
        var next = state.StepIndex + 1;
        if (next >= policy.AnalysisStepCount)
        {
            return new(CanaryVerdict.Complete, $"Complete after {step}: {passed}.", state, 100, checks);
        }

        var nextPercent = policy.StepPercents[next];
        return new(
            CanaryVerdict.Advance,
            Format($"Advance from {step} to {nextPercent:0.##}%: {passed}."),
            new CanaryState(next, now),
            nextPercent,
            checks);

        CanaryDecision Hold(CanaryHoldReason reason, string text) => new(CanaryVerdict.Hold, text, state, percent, checks, reason);
    }

    private static string Duration(TimeSpan span) =>
        span.TotalHours >= 1 ? Format($"{span.TotalHours:0.#} h")
        : span.TotalMinutes >= 1 ? Format($"{span.TotalMinutes:0.#} min")
        : Format($"{Math.Max(0, span.TotalSeconds):0.#} s");

    private static string Format(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
