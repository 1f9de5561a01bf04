using Kiln.Monitoring.Rollouts;

namespace Kiln.Monitoring.Tests.Rollouts;

public sealed class CanaryAnalysisTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 5, 9, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Interval = TimeSpan.FromMinutes(10);

    private static CanaryPolicy Policy(CanaryQualityPolicy? quality = null) => new()
    {
        StepPercents = [5, 25, 50, 100],
        StepInterval = Interval,
        MinRequestsPerStep = 100,
        Quality = quality,
    };

    /// <summary>A step's traffic: <paramref name="total"/> requests split by the canary's share, errors at the given rates.</summary>
    private static (VariantWindowStats Primary, VariantWindowStats Canary) Traffic(
        double canaryPercent,
        long total = 4000,
        double primaryErrors = 0.001,
        double canaryErrors = 0.001,
        double primaryP99 = 0.050,
        double canaryP99 = 0.052)
    {
        var canary = (long)Math.Round(total * canaryPercent / 100);
        var primary = total - canary;
        return (
            new VariantWindowStats(primary, (long)Math.Round(primary * primaryErrors), primaryP99),
            new VariantWindowStats(canary, (long)Math.Round(canary * canaryErrors), canaryP99));
    }

    [Fact]
    public void Decide_GoodCanary_PromotedThroughAllSteps()
    {
        var policy = Policy();
        var state = CanaryState.Start(Start);
        var now = Start;
        var verdicts = new List<(CanaryVerdict, double)>();

        for (var round = 0; round < 20 && verdicts.LastOrDefault().Item1 != CanaryVerdict.Complete; round++)
        {
            now += TimeSpan.FromMinutes(5);
            var (primary, canary) = Traffic(policy.StepPercents[state.StepIndex], total: 2000 * (int)((now - state.StepStartedAt) / TimeSpan.FromMinutes(5)));
            var decision = CanaryAnalysis.Decide(policy, state, primary, canary, now);
            Assert.NotEqual(CanaryVerdict.Rollback, decision.Verdict);
            if (decision.Verdict != CanaryVerdict.Hold)
            {
                verdicts.Add((decision.Verdict, decision.CanaryPercent));
            }

            state = decision.State;
        }

        Assert.Equal([(CanaryVerdict.Advance, 25), (CanaryVerdict.Advance, 50), (CanaryVerdict.Complete, 100)], verdicts);
        Assert.Equal(Start + TimeSpan.FromMinutes(30), now);
    }

    [Fact]
    public void Decide_BeforeInterval_HoldsWaiting()
    {
        var (primary, canary) = Traffic(5);

        var decision = CanaryAnalysis.Decide(Policy(), CanaryState.Start(Start), primary, canary, Start + TimeSpan.FromMinutes(4));

        Assert.Equal(CanaryVerdict.Hold, decision.Verdict);
        Assert.Equal(CanaryHoldReason.Waiting, decision.HoldReason);
        Assert.Equal(5, decision.CanaryPercent);
        Assert.Contains("waiting", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_FivePercentErrorsVersusPointOne_RollsBackMidInterval()
    {
        var (primary, canary) = Traffic(25, primaryErrors: 0.001, canaryErrors: 0.05);

        var decision = CanaryAnalysis.Decide(Policy(), new CanaryState(1, Start), primary, canary, Start + TimeSpan.FromMinutes(3));

        Assert.Equal(CanaryVerdict.Rollback, decision.Verdict);
        Assert.Equal(CanaryCheck.ErrorRate, decision.FailedCheck);
        Assert.Equal(0, decision.CanaryPercent);
        Assert.StartsWith("Roll back at step 2/3 (25%): error rate: canary 5.00% (50/1000) vs primary 0.10% (3/3000)", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_ThreeTimesLatency_RollsBack()
    {
        var (primary, canary) = Traffic(5, primaryP99: 0.040, canaryP99: 0.120);

        var decision = CanaryAnalysis.Decide(Policy(), CanaryState.Start(Start), primary, canary, Start + Interval);

        Assert.Equal(CanaryVerdict.Rollback, decision.Verdict);
        Assert.Equal(CanaryCheck.Latency, decision.FailedCheck);
        Assert.Contains("p99 latency: canary 120 ms vs primary 40 ms (3.00×), limit 62 ms", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_LatencySpikeMidStep_WaitsForTheStepToEnd()
    {
        // Seen in the quickstart: right after a step up, the canary's first requests at the new share were slow
        // (warm-up), and a p99 over a few dozen requests is just the slowest one.
        var (primary, canary) = Traffic(5, primaryP99: 0.0008, canaryP99: 0.018);

        var decision = CanaryAnalysis.Decide(Policy(), CanaryState.Start(Start), primary, canary, Start + TimeSpan.FromSeconds(10));

        Assert.Equal(CanaryVerdict.Hold, decision.Verdict);
        Assert.Equal(CanaryHoldReason.Waiting, decision.HoldReason);
    }

    [Fact]
    public void Decide_TooFewRequestsForAP99_DoesNotJudgeLatency()
    {
        var primary = new VariantWindowStats(2000, 0, 0.001);
        var canary = new VariantWindowStats(60, 0, 0.050);

        var decision = CanaryAnalysis.Decide(Policy() with { MinRequestsPerStep = 50 }, CanaryState.Start(Start), primary, canary, Start + Interval);

        Assert.Equal(CanaryVerdict.Advance, decision.Verdict);
        Assert.Contains("needed for a p99 (not judged)", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_SubMillisecondLatencyNoise_Passes()
    {
        var (primary, canary) = Traffic(5, primaryP99: 0.0003, canaryP99: 0.0015);

        var decision = CanaryAnalysis.Decide(Policy(), CanaryState.Start(Start), primary, canary, Start + Interval);

        Assert.Equal(CanaryVerdict.Advance, decision.Verdict);
    }

    [Fact]
    public void Decide_AccuracyTenPointsWorseWithEnoughLabels_RollsBack()
    {
        var (primary, canary) = Traffic(25);
        primary = primary with { Labelled = 900, MetricValue = 0.91 };
        canary = canary with { Labelled = 300, MetricValue = 0.81 };

        var decision = CanaryAnalysis.Decide(Policy(new CanaryQualityPolicy(MinLabels: 200)), new CanaryState(1, Start), primary, canary, Start + TimeSpan.FromMinutes(1));

        Assert.Equal(CanaryVerdict.Rollback, decision.Verdict);
        Assert.Equal(CanaryCheck.Quality, decision.FailedCheck);
        Assert.Contains("accuracy: canary 0.81 vs primary 0.91 on 300/900 labels, worse by 0.1 (margin 0.02)", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_QualityPendingAndNotRequired_StillAdvances()
    {
        var (primary, canary) = Traffic(5);
        canary = canary with { Labelled = 20, MetricValue = 0.5 };

        var decision = CanaryAnalysis.Decide(Policy(new CanaryQualityPolicy()), CanaryState.Start(Start), primary, canary, Start + Interval);

        Assert.Equal(CanaryVerdict.Advance, decision.Verdict);
        Assert.Equal(CanaryCheckOutcome.Pending, decision.Checks.Single(c => c.Check == CanaryCheck.Quality).Outcome);
        Assert.Contains("pending, not required", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_QualityPendingAndRequired_Holds()
    {
        var (primary, canary) = Traffic(5);

        var decision = CanaryAnalysis.Decide(Policy(new CanaryQualityPolicy(RequiredToPromote: true)), CanaryState.Start(Start), primary, canary, Start + Interval);

        Assert.Equal(CanaryVerdict.Hold, decision.Verdict);
        Assert.Equal(CanaryHoldReason.QualityPending, decision.HoldReason);
    }

    [Fact]
    public void Decide_TooLittleTraffic_HoldsThenReportsStarvedButNeverPromotes()
    {
        var policy = Policy();
        var (primary, canary) = Traffic(5, total: 400);

        var atInterval = CanaryAnalysis.Decide(policy, CanaryState.Start(Start), primary, canary, Start + Interval);
        var atThree = CanaryAnalysis.Decide(policy, CanaryState.Start(Start), primary, canary, Start + (3 * Interval));
        var muchLater = CanaryAnalysis.Decide(policy, CanaryState.Start(Start), primary, canary, Start + TimeSpan.FromDays(2));

        Assert.Equal((CanaryVerdict.Hold, CanaryHoldReason.InsufficientTraffic), (atInterval.Verdict, atInterval.HoldReason));
        Assert.Contains("20 of 100 requests", atInterval.Reason, StringComparison.Ordinal);
        Assert.Equal((CanaryVerdict.Hold, CanaryHoldReason.TrafficStarved), (atThree.Verdict, atThree.HoldReason));
        Assert.Contains("traffic starved", atThree.Reason, StringComparison.Ordinal);
        Assert.Equal((CanaryVerdict.Hold, CanaryHoldReason.TrafficStarved), (muchLater.Verdict, muchLater.HoldReason));
        Assert.Equal(CanaryState.Start(Start), muchLater.State);
    }

    [Fact]
    public void Decide_OneErrorInTenVersusNone_NotSignificantSoNoRollback()
    {
        var policy = Policy() with { MinRequestsPerStep = 10 };
        var primary = new VariantWindowStats(10, 0, 0.05);
        var canary = new VariantWindowStats(10, 1, 0.05);

        var decision = CanaryAnalysis.Decide(policy, CanaryState.Start(Start), primary, canary, Start + Interval);

        Assert.Equal(CanaryVerdict.Advance, decision.Verdict);
        var check = decision.Checks.Single(c => c.Check == CanaryCheck.ErrorRate);
        Assert.Equal(CanaryCheckOutcome.Passed, check.Outcome);
        Assert.Contains("not significant", check.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_SignificantButTinyIncrease_WithinTolerancePasses()
    {
        var primary = new VariantWindowStats(500_000, 500, 0.05);
        var canary = new VariantWindowStats(500_000, 1500, 0.05);

        var decision = CanaryAnalysis.Decide(Policy(), CanaryState.Start(Start), primary, canary, Start + Interval);

        Assert.Equal(CanaryVerdict.Advance, decision.Verdict);
        Assert.Contains("within the 0.5-pt tolerance", decision.Checks[0].Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_NoPrimaryTraffic_HoldsForBaseline()
    {
        var decision = CanaryAnalysis.Decide(Policy(), CanaryState.Start(Start), new VariantWindowStats(0, 0), new VariantWindowStats(500, 0, 0.05), Start + Interval);

        Assert.Equal(CanaryHoldReason.MissingBaseline, decision.HoldReason);
    }

    [Fact]
    public void Decide_StepsWithoutFinalHundred_CompleteAfterLastStep()
    {
        var policy = Policy() with { StepPercents = [10, 50] };
        var (primary, canary) = Traffic(50);

        var decision = CanaryAnalysis.Decide(policy, new CanaryState(1, Start), primary, canary, Start + Interval);

        Assert.Equal(CanaryVerdict.Complete, decision.Verdict);
        Assert.Equal(100, decision.CanaryPercent);
    }

    [Fact]
    public void Validate_BadPolicy_ReportsEveryError()
    {
        var policy = new CanaryPolicy { StepPercents = [50, 25], StepInterval = TimeSpan.Zero, MinRequestsPerStep = 0, ErrorRateAlpha = 1, MaxP99Ratio = 0.5 };

        var errors = policy.Validate();

        Assert.Equal(5, errors.Count);
        Assert.Throws<ArgumentException>(() => CanaryAnalysis.Decide(policy, CanaryState.Start(Start), default, default, Start));
        Assert.Empty(new CanaryPolicy().Validate());
        Assert.NotEmpty(new CanaryPolicy { StepPercents = [100] }.Validate());
    }

    [Fact]
    public void Decide_StepOutsidePolicy_Throws() =>
        Assert.Throws<ArgumentException>(() => CanaryAnalysis.Decide(Policy(), new CanaryState(3, Start), default, default, Start));
}
