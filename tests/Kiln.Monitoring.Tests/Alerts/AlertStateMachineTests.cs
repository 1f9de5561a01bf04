using Kiln.Core.Monitoring.Alerts;
using Kiln.Monitoring.Alerts;
using Microsoft.Extensions.Time.Testing;

namespace Kiln.Monitoring.Tests.Alerts;

public sealed class AlertStateMachineTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero));

    private static AlertRule Rule(TimeSpan forDuration, AlertComparison comparison = AlertComparison.GreaterThan) => new()
    {
        Id = "r1",
        Name = "HighErrorRate",
        Kind = AlertKind.ErrorRate,
        Threshold = 0.01,
        Comparison = comparison,
        For = forDuration,
    };

    private AlertStep Step(AlertState? previous, AlertRule rule, double? value) =>
        AlertStateMachine.Step(previous, rule, "bank", value is { } v ? new AlertSignal(v, "measured") : AlertSignal.NoData("no requests"), _time.GetUtcNow());

    [Fact]
    public void Step_ConditionTrueShorterThanFor_PendingThenFiringAfterFor()
    {
        var rule = Rule(TimeSpan.FromMinutes(1));
        var first = Step(null, rule, 0.05);
        Assert.Equal(AlertStatus.Pending, first.State.Status);
        Assert.False(first.Fired);

        _time.Advance(TimeSpan.FromSeconds(30));
        var second = Step(first.State, rule, 0.05);
        Assert.Equal(AlertStatus.Pending, second.State.Status);
        Assert.Null(second.Transition);

        _time.Advance(TimeSpan.FromSeconds(30));
        var third = Step(second.State, rule, 0.05);
        Assert.Equal(AlertStatus.Firing, third.State.Status);
        Assert.True(third.Fired);
        Assert.Equal(first.State.ActiveAt, third.State.ActiveAt);
        Assert.Equal(_time.GetUtcNow(), third.State.FiredAt);
    }

    [Fact]
    public void Step_ForZero_FiresAtOnce()
    {
        var step = Step(null, Rule(TimeSpan.Zero), 0.02);

        Assert.Equal(AlertStatus.Firing, step.State.Status);
        Assert.Equal(new AlertTransition
        {
            RuleId = "r1", RuleName = "HighErrorRate", Deployment = "bank", Kind = AlertKind.ErrorRate, From = AlertStatus.Inactive, To = AlertStatus.Firing,
            Value = 0.02, Threshold = 0.01, Description = step.State.Description, At = _time.GetUtcNow(), Severity = AlertSeverity.Warning,
        }, step.Transition);
    }

    [Fact]
    public void Step_FiringThenConditionFalse_ResolvedWithResolvedAt()
    {
        var rule = Rule(TimeSpan.Zero);
        var firing = Step(null, rule, 0.5).State;
        _time.Advance(TimeSpan.FromMinutes(3));

        var step = Step(firing, rule, 0.001);

        Assert.Equal(AlertStatus.Resolved, step.State.Status);
        Assert.True(step.Resolved);
        Assert.Equal(_time.GetUtcNow(), step.State.ResolvedAt);
        Assert.Equal(firing.FiredAt, step.State.FiredAt);
    }

    [Fact]
    public void Step_NoData_NeverFiresAndSaysSo()
    {
        var rule = Rule(TimeSpan.Zero, AlertComparison.LessThan);
        AlertState? state = null;
        for (var i = 0; i < 5; i++)
        {
            var step = Step(state, rule, null);
            Assert.Equal(AlertStatus.NoData, step.State.Status);
            Assert.False(step.Fired);
            state = step.State;
            _time.Advance(TimeSpan.FromMinutes(10));
        }

        Assert.StartsWith("no data: no requests", state!.Description, StringComparison.Ordinal);
        Assert.Contains("never fires", state.Description, StringComparison.Ordinal);
        Assert.Null(state.Value);
    }

    [Fact]
    public void Step_FiringThenNoData_Resolves()
    {
        var rule = Rule(TimeSpan.Zero);
        var firing = Step(null, rule, 0.5).State;

        var step = Step(firing, rule, null);

        Assert.Equal(AlertStatus.NoData, step.State.Status);
        Assert.True(step.Resolved);
    }

    [Fact]
    public void Step_Flapping_PendingRestartsAndNeverFires()
    {
        var rule = Rule(TimeSpan.FromMinutes(1));
        AlertState? state = null;
        var statuses = new List<AlertStatus>();
        for (var i = 0; i < 8; i++)
        {
            var step = Step(state, rule, i % 2 == 0 ? 0.2 : 0.0);
            Assert.False(step.Fired);
            statuses.Add(step.State.Status);
            state = step.State;
            _time.Advance(TimeSpan.FromSeconds(40));
        }

        Assert.Equal([AlertStatus.Pending, AlertStatus.Inactive, AlertStatus.Pending, AlertStatus.Inactive, AlertStatus.Pending, AlertStatus.Inactive, AlertStatus.Pending, AlertStatus.Inactive], statuses);
    }

    [Fact]
    public void Step_LessThanComparison_FiresBelowThreshold()
    {
        var rule = Rule(TimeSpan.Zero, AlertComparison.LessThan) with { Kind = AlertKind.Quality, Metric = "auc", Threshold = 0.8 };

        Assert.Equal(AlertStatus.Firing, Step(null, rule, 0.7).State.Status);
        Assert.Equal(AlertStatus.Inactive, Step(null, rule, 0.9).State.Status);
        Assert.Null(Step(null, rule, 0.9).Transition);
    }

    [Fact]
    public void Step_Description_CarriesValueAndThreshold()
    {
        var step = Step(null, Rule(TimeSpan.FromMinutes(2)), 0.0321);

        Assert.Equal("measured; value 0.0321, alert when > 0.01 for 2m", step.State.Description);
    }

    [Fact]
    public void Retire_Firing_ResolvesWithReason()
    {
        var firing = Step(null, Rule(TimeSpan.Zero), 0.5).State;

        var step = AlertStateMachine.Retire(firing, "the rule was deleted", _time.GetUtcNow());

        Assert.True(step.Resolved);
        Assert.Equal(AlertStatus.Resolved, step.State.Status);
        Assert.Equal("the rule was deleted", step.State.Description);
    }
}
