using Kiln.Core.Monitoring.Alerts;
using Kiln.Monitoring.Alerts;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Kiln.Monitoring.Tests.Alerts;

public sealed class AlertEvaluatorTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly InMemoryAlertStore _store = new();
    private readonly FakeDeployments _deployments = new("bank", "churn");
    private readonly SettableSignals _signals = new(AlertKind.ErrorRate);
    private readonly RecordingNotifier _notifier = new();
    private readonly AlertEventBroadcast _events = new();

    private AlertEvaluator Evaluator(params AlertRule[] configured) => new(
        new AlertRuleCatalog(_store, new StaticRules(configured)), _deployments, _store, new AlertSignalRouter([_signals]), _notifier, _events,
        NullLogger<AlertEvaluator>.Instance);

    private static AlertRule ErrorRule(string deployment = AlertRule.AllDeployments, TimeSpan? forDuration = null) => new()
    {
        Id = "errors",
        Name = "HighErrorRate",
        Deployment = deployment,
        Kind = AlertKind.ErrorRate,
        Threshold = 0.01,
        For = forDuration ?? TimeSpan.FromMinutes(1),
    };

    [Fact]
    public async Task EvaluateAsync_RuleForAllDeployments_JudgesEachDeployment()
    {
        _signals.Values["bank"] = 0.5;
        _signals.Values["churn"] = 0.0;

        var evaluation = await Evaluator(ErrorRule()).EvaluateAsync(_time.GetUtcNow());

        Assert.Equal(AlertStatus.Pending, evaluation.Find("errors", "bank")!.Status);
        Assert.Equal(AlertStatus.Inactive, evaluation.Find("errors", "churn")!.Status);
    }

    [Fact]
    public async Task EvaluateAsync_ConditionHoldsForDuration_NotifiesAndPublishesOnceThenResolves()
    {
        var evaluator = Evaluator(ErrorRule("bank"));
        using var subscription = _events.Subscribe();
        _signals.Values["bank"] = 0.2;

        await evaluator.EvaluateAsync(_time.GetUtcNow());
        _time.Advance(TimeSpan.FromSeconds(15));
        await evaluator.EvaluateAsync(_time.GetUtcNow());
        Assert.Empty(_notifier.Sent);

        _time.Advance(TimeSpan.FromSeconds(45));
        var firing = await evaluator.EvaluateAsync(_time.GetUtcNow());
        _time.Advance(TimeSpan.FromSeconds(15));
        await evaluator.EvaluateAsync(_time.GetUtcNow());

        Assert.Equal(AlertStatus.Firing, firing.Find("errors", "bank")!.Status);
        var fired = Assert.Single(_notifier.Sent);
        Assert.False(fired.Resolved);
        Assert.True(subscription.Reader.TryRead(out var firingEvent));
        Assert.Equal(AlertEventKinds.Firing, firingEvent.Kind);
        Assert.Equal("bank", firingEvent.Deployment);
        Assert.Equal("HighErrorRate", firingEvent.Labels["alertname"]);

        _signals.Values["bank"] = 0.0;
        _time.Advance(TimeSpan.FromSeconds(15));
        var resolved = await evaluator.EvaluateAsync(_time.GetUtcNow());

        Assert.Equal(AlertStatus.Resolved, resolved.Find("errors", "bank")!.Status);
        Assert.Equal(2, _notifier.Sent.Count);
        Assert.True(_notifier.Sent[1].Resolved);
        Assert.True(subscription.Reader.TryRead(out var resolvedEvent));
        Assert.Equal(AlertEventKinds.Resolved, resolvedEvent.Kind);
        var history = await _store.ListHistoryAsync(new AlertHistoryQuery(), default);
        Assert.Equal([AlertStatus.Resolved, AlertStatus.Firing, AlertStatus.Pending], history.Select(t => t.To));
    }

    [Fact]
    public async Task EvaluateAsync_KindWithoutSource_NoDataNamingTheKind()
    {
        var rule = new AlertRule { Id = "drift", Name = "Drift", Kind = AlertKind.DatasetDrift, Threshold = 0.3 };

        var evaluation = await Evaluator(rule).EvaluateAsync(_time.GetUtcNow());

        var state = evaluation.Find("drift", "bank")!;
        Assert.Equal(AlertStatus.NoData, state.Status);
        Assert.Contains("no signal source for kind dataset_drift", state.Description, StringComparison.Ordinal);
        Assert.Empty(_notifier.Sent);
    }

    [Fact]
    public async Task EvaluateAsync_RuleDeletedWhileFiring_ResolvesAndForgetsState()
    {
        await _store.CreateRuleAsync(ErrorRule("bank", TimeSpan.Zero), default);
        var evaluator = Evaluator();
        _signals.Values["bank"] = 0.5;
        await evaluator.EvaluateAsync(_time.GetUtcNow());
        Assert.False(Assert.Single(_notifier.Sent).Resolved);

        await _store.DeleteRuleAsync("errors", default);
        _time.Advance(TimeSpan.FromSeconds(15));
        var evaluation = await evaluator.EvaluateAsync(_time.GetUtcNow());

        Assert.Empty(evaluation.States);
        Assert.Empty(await _store.ListStatesAsync(default));
        var resolved = _notifier.Sent[1];
        Assert.True(resolved.Resolved);
        Assert.Null(resolved.Rule);
        Assert.Contains("deleted", resolved.State.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EvaluateAsync_DisabledRule_NotEvaluated()
    {
        _signals.Values["bank"] = 0.5;

        var evaluation = await Evaluator(ErrorRule(forDuration: TimeSpan.Zero) with { Enabled = false }).EvaluateAsync(_time.GetUtcNow());

        Assert.Empty(evaluation.States);
        Assert.Empty(_notifier.Sent);
    }

    [Fact]
    public async Task EvaluateAsync_SignalSourceThrows_NoDataAndOtherPairsStillJudged()
    {
        var evaluator = new AlertEvaluator(
            new AlertRuleCatalog(_store, new StaticRules(ErrorRule(forDuration: TimeSpan.Zero), new AlertRule { Id = "lat", Name = "Slow", Kind = AlertKind.LatencyP99, Threshold = 100 })),
            _deployments, _store, new AlertSignalRouter([_signals, new ThrowingSignals()]), _notifier, _events, NullLogger<AlertEvaluator>.Instance);
        _signals.Values["bank"] = 0.5;

        var evaluation = await evaluator.EvaluateAsync(_time.GetUtcNow());

        Assert.Equal(AlertStatus.NoData, evaluation.Find("lat", "bank")!.Status);
        Assert.Equal(AlertStatus.Firing, evaluation.Find("errors", "bank")!.Status);
    }

    private sealed class ThrowingSignals : IAlertSignalSource
    {
        public IReadOnlyCollection<AlertKind> Kinds { get; } = [AlertKind.LatencyP99];

        public Task<AlertSignal> ReadAsync(AlertRule rule, string deployment, DateTimeOffset now, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("broken");
    }
}
