using Kiln.Core.Deployments;
using Kiln.Core.Monitoring.Alerts;
using Kiln.Monitoring.Alerts;

namespace Kiln.Monitoring.Tests.Alerts;

/// <summary>An in-memory <see cref="IAlertStore"/>.</summary>
internal sealed class InMemoryAlertStore : IAlertStore
{
    private readonly Dictionary<string, AlertRule> _rules = [];
    private readonly Dictionary<AlertStateKey, AlertState> _states = [];
    private readonly List<AlertTransition> _history = [];

    public Task<IReadOnlyList<AlertRule>> ListRulesAsync(CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<AlertRule>>([.. _rules.Values]);

    public Task<AlertRule?> GetRuleAsync(string id, CancellationToken cancellationToken) => Task.FromResult(_rules.GetValueOrDefault(id));

    public Task<AlertRule> CreateRuleAsync(AlertRule rule, CancellationToken cancellationToken)
    {
        _rules.Add(rule.Id, rule);
        return Task.FromResult(rule);
    }

    public Task<AlertRule?> UpdateRuleAsync(AlertRule rule, CancellationToken cancellationToken)
    {
        if (!_rules.ContainsKey(rule.Id))
        {
            return Task.FromResult<AlertRule?>(null);
        }

        _rules[rule.Id] = rule;
        return Task.FromResult<AlertRule?>(rule);
    }

    public Task<bool> DeleteRuleAsync(string id, CancellationToken cancellationToken) => Task.FromResult(_rules.Remove(id));

    public Task<IReadOnlyList<AlertState>> ListStatesAsync(CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<AlertState>>([.. _states.Values]);

    public Task SaveEvaluationAsync(IReadOnlyList<AlertState> states, IReadOnlyList<AlertStateKey> removed, IReadOnlyList<AlertTransition> transitions, CancellationToken cancellationToken)
    {
        foreach (var key in removed)
        {
            _states.Remove(key);
        }

        foreach (var state in states)
        {
            _states[new AlertStateKey(state.RuleId, state.Deployment)] = state;
        }

        _history.AddRange(transitions);
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<AlertTransition>> ListHistoryAsync(AlertHistoryQuery query, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<AlertTransition>>([.. _history.AsEnumerable().Reverse().Take(query.Limit)]);
}

internal sealed class FakeDeployments(params string[] names) : IDeploymentStore
{
    public List<string> Names { get; } = [.. names];

    public Task<IReadOnlyList<Deployment>> ListAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<Deployment>>(Names.Select(n => new Deployment { Name = n, Variants = [], CreatedAt = default, UpdatedAt = default }).ToArray());

    public Task<Deployment?> GetAsync(string name, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<Deployment> SaveAsync(DeploymentChange change, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<IReadOnlyList<DeploymentRevision>> HistoryAsync(string name, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<bool> DeleteAsync(string name, CancellationToken cancellationToken) => throw new NotSupportedException();
}

/// <summary>A signal source whose values the test sets per deployment; null is no data.</summary>
internal sealed class SettableSignals(params AlertKind[] kinds) : IAlertSignalSource
{
    public Dictionary<string, double?> Values { get; } = [];

    public IReadOnlyCollection<AlertKind> Kinds { get; } = kinds;

    public Task<AlertSignal> ReadAsync(AlertRule rule, string deployment, DateTimeOffset now, CancellationToken cancellationToken) =>
        Task.FromResult(Values.GetValueOrDefault(deployment) is { } value ? new AlertSignal(value, $"test value {value}") : AlertSignal.NoData("nothing set"));
}

internal sealed class RecordingNotifier : IAlertNotifier
{
    public List<AlertNotification> Sent { get; } = [];

    public void Notify(AlertNotification notification) => Sent.Add(notification);
}

internal sealed class StaticRules(params AlertRule[] rules) : IConfiguredAlertRules
{
    public IReadOnlyList<AlertRule> Rules { get; } = rules;
}
