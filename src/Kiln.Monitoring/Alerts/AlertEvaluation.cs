using Kiln.Core.Monitoring.Alerts;

namespace Kiln.Monitoring.Alerts;

/// <summary>What one evaluation found: the state of every pair judged, and the changes.</summary>
/// <param name="At">The evaluation's time.</param>
/// <param name="States">Every (rule, deployment) state after the evaluation.</param>
/// <param name="Transitions">The status changes it made.</param>
public sealed record AlertEvaluation(DateTimeOffset At, IReadOnlyList<AlertState> States, IReadOnlyList<AlertTransition> Transitions)
{
    /// <summary>The state of <paramref name="ruleId"/> on <paramref name="deployment"/>, or null.</summary>
    public AlertState? Find(string ruleId, string deployment) =>
        States.FirstOrDefault(s => s.RuleId == ruleId && s.Deployment == deployment);
}
