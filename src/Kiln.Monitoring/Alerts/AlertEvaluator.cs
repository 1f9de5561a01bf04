using Kiln.Core.Deployments;
using Kiln.Core.Monitoring.Alerts;
using Microsoft.Extensions.Logging;

namespace Kiln.Monitoring.Alerts;

/// <summary>
/// Judges every enabled rule on every deployment it applies to, once per call: reads the signals,
/// steps the <see cref="AlertStateMachine"/>, saves states and transitions, then announces what
/// fired or resolved to the notifier and the event stream. Calls are serialized; the host calls
/// <see cref="EvaluateAsync"/> on a schedule and tests call it with the time they choose.
/// </summary>
public sealed partial class AlertEvaluator(
    AlertRuleCatalog rules,
    IDeploymentStore deployments,
    IAlertStore store,
    AlertSignalRouter signals,
    IAlertNotifier notifier,
    IAlertEventStream events,
    ILogger<AlertEvaluator> logger)
{
    private static readonly TimeSpan SignalTimeout = TimeSpan.FromSeconds(10);
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>Evaluates every rule as of <paramref name="now"/>.</summary>
    public async Task<AlertEvaluation> EvaluateAsync(DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            return await EvaluateOnceAsync(now, cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<AlertEvaluation> EvaluateOnceAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var allRules = await rules.ListAsync(cancellationToken);
        var names = (await deployments.ListAsync(cancellationToken)).Select(d => d.Name).ToArray();
        var previous = (await store.ListStatesAsync(cancellationToken)).ToDictionary(s => new AlertStateKey(s.RuleId, s.Deployment));
        var states = new List<AlertState>();
        var transitions = new List<AlertTransition>();
        var announcements = new List<AlertNotification>();
        var judged = new HashSet<AlertStateKey>();
        foreach (var rule in allRules.Where(r => r.Enabled))
        {
            foreach (var deployment in names.Where(rule.AppliesTo))
            {
                var key = new AlertStateKey(rule.Id, deployment);
                judged.Add(key);
                var signal = await ReadAsync(rule, deployment, now, cancellationToken);
                var step = AlertStateMachine.Step(previous.GetValueOrDefault(key), rule, deployment, signal, now);
                Collect(step, rule, states, transitions, announcements);
            }
        }

        var removed = new List<AlertStateKey>();
        var byId = allRules.ToDictionary(r => r.Id);
        foreach (var (key, state) in previous.Where(p => !judged.Contains(p.Key)))
        {
            removed.Add(key);
            var rule = byId.GetValueOrDefault(key.RuleId);
            var reason = rule is null ? "the rule was deleted" : !rule.Enabled ? "the rule was disabled" : "the deployment no longer exists or the rule no longer applies to it";
            Collect(AlertStateMachine.Retire(state, reason, now), rule, states: null, transitions, announcements);
        }

        await store.SaveEvaluationAsync(states, removed, transitions, cancellationToken);
        foreach (var announcement in announcements)
        {
            Announce(announcement, now);
        }

        return new AlertEvaluation(now, states, transitions);
    }

    private static void Collect(AlertStep step, AlertRule? rule, List<AlertState>? states, List<AlertTransition> transitions, List<AlertNotification> announcements)
    {
        states?.Add(step.State);
        if (step.Transition is { } transition)
        {
            transitions.Add(transition);
        }

        if (step.Fired || step.Resolved)
        {
            announcements.Add(new AlertNotification(step.State, rule, Resolved: step.Resolved));
        }
    }

    private async Task<AlertSignal> ReadAsync(AlertRule rule, string deployment, DateTimeOffset now, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(SignalTimeout);
        try
        {
            return await signals.ReadAsync(rule, deployment, now, timeout.Token);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // A broken source is no data for its rules, never a stalled or failed evaluation.
            LogSignalFailed(e, rule.Id, deployment);
            return AlertSignal.NoData($"the signal could not be read ({e.GetType().Name})");
        }
    }

    private void Announce(AlertNotification notification, DateTimeOffset now)
    {
        var state = notification.State;
        if (notification.Resolved)
        {
            LogResolved(state.RuleName, state.Deployment, state.Description);
        }
        else
        {
            LogFiring(state.RuleName, state.Deployment, state.Description);
        }

        try
        {
            notifier.Notify(notification);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            LogNotifyFailed(e, state.RuleName, state.Deployment);
        }

        events.Publish(new AlertEvent(
            notification.Resolved ? AlertEventKinds.Resolved : AlertEventKinds.Firing,
            state.Deployment,
            AlertLabels.Summary(state, notification.Resolved),
            AlertLabels.Of(state, notification.Rule),
            now)
        {
            Description = state.Description,
            Value = state.Value,
            SourceId = state.RuleId,
        });
    }

    [LoggerMessage(EventId = 2301, Level = LogLevel.Warning, Message = "Alert {RuleName} firing on {Deployment}: {Description}")]
    private partial void LogFiring(string ruleName, string deployment, string description);

    [LoggerMessage(EventId = 2302, Level = LogLevel.Information, Message = "Alert {RuleName} resolved on {Deployment}: {Description}")]
    private partial void LogResolved(string ruleName, string deployment, string description);

    [LoggerMessage(EventId = 2303, Level = LogLevel.Warning, Message = "Reading the signal of alert rule {RuleId} for {Deployment} failed; treated as no data")]
    private partial void LogSignalFailed(Exception exception, string ruleId, string deployment);

    [LoggerMessage(EventId = 2304, Level = LogLevel.Error, Message = "Queueing the notification of alert {RuleName} on {Deployment} failed")]
    private partial void LogNotifyFailed(Exception exception, string ruleName, string deployment);
}
