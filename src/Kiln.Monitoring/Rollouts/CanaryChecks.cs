using System.Globalization;

namespace Kiln.Monitoring.Rollouts;

/// <summary>The individual canary checks; each compares the canary's window with the primary's.</summary>
internal static class CanaryChecks
{
    public static CanaryCheckResult ErrorRate(CanaryPolicy policy, VariantWindowStats primary, VariantWindowStats canary)
    {
        if (canary.Requests < policy.MinRequestsPerStep)
        {
            return Pending(CanaryCheck.ErrorRate, $"error rate: canary has {canary.Requests} of {policy.MinRequestsPerStep} requests needed");
        }

        if (primary.Requests == 0)
        {
            return Pending(CanaryCheck.ErrorRate, "error rate: the primary served no requests to compare against");
        }

        var canaryRate = canary.ErrorRate;
        var primaryRate = primary.ErrorRate;
        var z = Proportions.PooledZ(primary.ServerErrors, primary.Requests, canary.ServerErrors, canary.Requests);
        var p = Normal.Sf(z);
        var increase = canaryRate - primaryRate;
        var failed = p < policy.ErrorRateAlpha && increase > policy.ErrorRateTolerance;
        var verdict = failed
            ? Format($"< {policy.ErrorRateAlpha:G3} and above the {policy.ErrorRateTolerance * 100:0.##}-pt tolerance")
            : p < policy.ErrorRateAlpha
                ? Format($"< {policy.ErrorRateAlpha:G3} but within the {policy.ErrorRateTolerance * 100:0.##}-pt tolerance")
                : Format($"≥ {policy.ErrorRateAlpha:G3}, not significant");
        var detail = Format(
            $"error rate: canary {canaryRate * 100:0.00}% ({canary.ServerErrors}/{canary.Requests}) vs primary {primaryRate * 100:0.00}% ({primary.ServerErrors}/{primary.Requests}), {increase * 100:+0.00;-0.00;0.00} pts, one-sided z = {z:0.00}, p = {p:G3} {verdict}");
        return new(CanaryCheck.ErrorRate, failed ? CanaryCheckOutcome.Failed : CanaryCheckOutcome.Passed, detail, canaryRate, primaryRate);
    }

    /// <summary>The fewest requests whose p99 means more than "the slowest one": below it latency is not judged.</summary>
    public const long MinRequestsForP99 = 100;

    public static CanaryCheckResult Latency(CanaryPolicy policy, VariantWindowStats primary, VariantWindowStats canary)
    {
        var needed = Math.Max(policy.MinRequestsPerStep, MinRequestsForP99);
        if (canary.Requests < needed)
        {
            return Pending(CanaryCheck.Latency, $"p99 latency: canary has {canary.Requests} of {needed} requests needed for a p99 (not judged)");
        }

        if (canary.P99Seconds is not { } canaryP99 || primary.P99Seconds is not { } primaryP99)
        {
            return Pending(CanaryCheck.Latency, "p99 latency: not reported for " + (canary.P99Seconds is null ? "the canary" : "the primary"));
        }

        var limit = (primaryP99 * policy.MaxP99Ratio) + policy.LatencySlack.TotalSeconds;
        var failed = canaryP99 > limit;
        var ratio = primaryP99 > 0 ? canaryP99 / primaryP99 : double.PositiveInfinity;
        var detail = Format(
            $"p99 latency: canary {canaryP99 * 1000:0.###} ms vs primary {primaryP99 * 1000:0.###} ms ({ratio:0.00}×), limit {limit * 1000:0.###} ms ({policy.MaxP99Ratio:0.##}× + {policy.LatencySlack.TotalMilliseconds:0.###} ms)");
        return new(CanaryCheck.Latency, failed ? CanaryCheckOutcome.Failed : CanaryCheckOutcome.Passed, detail, canaryP99, primaryP99);
    }

    public static CanaryCheckResult? Quality(CanaryPolicy policy, VariantWindowStats primary, VariantWindowStats canary)
    {
        if (policy.Quality is not { } quality)
        {
            return null;
        }

        if (canary.Labelled < quality.MinLabels || primary.Labelled < quality.MinLabels)
        {
            return Pending(
                CanaryCheck.Quality,
                Format($"{quality.Metric}: {canary.Labelled} canary and {primary.Labelled} primary labels, {quality.MinLabels} each needed"));
        }

        if (canary.MetricValue is not { } canaryValue || primary.MetricValue is not { } primaryValue)
        {
            return Pending(CanaryCheck.Quality, $"{quality.Metric}: not computed for " + (canary.MetricValue is null ? "the canary" : "the primary"));
        }

        var worseBy = quality.HigherIsBetter ? primaryValue - canaryValue : canaryValue - primaryValue;
        var failed = worseBy > quality.Margin;
        var comparison = worseBy > 0 ? Format($"worse by {worseBy:0.####}") : "not worse";
        var detail = Format(
            $"{quality.Metric}: canary {canaryValue:0.####} vs primary {primaryValue:0.####} on {canary.Labelled}/{primary.Labelled} labels, {comparison} (margin {quality.Margin:0.####})");
        return new(CanaryCheck.Quality, failed ? CanaryCheckOutcome.Failed : CanaryCheckOutcome.Passed, detail, canaryValue, primaryValue);
    }

    private static CanaryCheckResult Pending(CanaryCheck check, string detail) => new(check, CanaryCheckOutcome.Pending, detail);

    private static string Format(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
