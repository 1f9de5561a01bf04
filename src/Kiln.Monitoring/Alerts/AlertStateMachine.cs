using Kiln.Core;
using System.Globalization;
using Kiln.Core.Monitoring.Alerts;

namespace Kiln.Monitoring.Alerts;

/// <summary>
/// The alert lifecycle, as a pure function of the previous state, the rule, a signal and the time:
/// inactive → pending (condition true) → firing (true for the rule's <c>for</c>) → resolved (false
/// again). Pending that turns false goes back to inactive, so a flapping signal never fires before
/// it holds for <c>for</c>. No data never fires: it clears pending and resolves firing.
/// </summary>
public static class AlertStateMachine
{
    /// <summary>Evaluates <paramref name="rule"/> on <paramref name="deployment"/> once.</summary>
    public static AlertStep Step(AlertState? previous, AlertRule rule, string deployment, AlertSignal signal, DateTimeOffset now)
    {
        var from = previous?.Status ?? AlertStatus.Inactive;
        var activeAt = previous?.ActiveAt;
        var firedAt = previous?.FiredAt;
        var resolvedAt = previous?.ResolvedAt;
        AlertStatus to;
        string description;
        if (signal.Value is not { } value)
        {
            to = AlertStatus.NoData;
            activeAt = null;
            description = signal.Description + " (no data never fires)";
        }
        else if (rule.IsMet(value))
        {
            activeAt = from is AlertStatus.Pending or AlertStatus.Firing && activeAt is { } since ? since : now;
            to = from == AlertStatus.Firing || now - activeAt.Value >= rule.For ? AlertStatus.Firing : AlertStatus.Pending;
            description = Describe(rule, signal.Description, value);
        }
        else
        {
            activeAt = null;
            to = from is AlertStatus.Firing or AlertStatus.Resolved ? AlertStatus.Resolved : AlertStatus.Inactive;
            description = Describe(rule, signal.Description, value);
        }

        if (to == AlertStatus.Firing && from != AlertStatus.Firing)
        {
            firedAt = now;
        }

        if (from == AlertStatus.Firing && to != AlertStatus.Firing)
        {
            resolvedAt = now;
        }

        var state = new AlertState
        {
            RuleId = rule.Id,
            RuleName = rule.Name,
            Deployment = deployment,
            Kind = rule.Kind,
            Severity = rule.Severity,
            Status = to,
            Value = signal.Value,
            Threshold = rule.Threshold,
            Description = description,
            Since = to == from && previous is not null ? previous.Since : now,
            ActiveAt = activeAt,
            FiredAt = firedAt,
            ResolvedAt = resolvedAt,
            EvaluatedAt = now,
        };
        return new AlertStep(state, to == from ? null : Transition(state, from, now));
    }

    /// <summary>The step that retires a pair whose rule or deployment went away (or whose rule was disabled): a firing alert resolves.</summary>
    public static AlertStep Retire(AlertState previous, string reason, DateTimeOffset now)
    {
        var to = previous.Status == AlertStatus.Firing ? AlertStatus.Resolved : AlertStatus.Inactive;
        var state = previous with
        {
            Status = to,
            Description = reason,
            Since = now,
            ActiveAt = null,
            ResolvedAt = previous.Status == AlertStatus.Firing ? now : previous.ResolvedAt,
            EvaluatedAt = now,
        };
        return new AlertStep(state, to == previous.Status ? null : Transition(state, previous.Status, now));
    }

    /// <summary>Formats a value for people: at most four significant digits, invariant culture.</summary>
    public static string FormatValue(double value) => value == 0 || Math.Abs(value) >= 0.001
        ? value.ToString("0.####", CultureInfo.InvariantCulture)
        : value.ToString("G4", CultureInfo.InvariantCulture);

    private static string Describe(AlertRule rule, string measured, double value)
    {
        var condition = $"alert when {AlertWireNames.Symbol(rule.Comparison)} {FormatValue(rule.Threshold)}";
        if (rule.For > TimeSpan.Zero)
        {
            condition += $" for {DurationText.Format(rule.For)}";
        }

        return $"{measured}; value {FormatValue(value)}, {condition}";
    }

    private static AlertTransition Transition(AlertState state, AlertStatus from, DateTimeOffset now) => new()
    {
        RuleId = state.RuleId,
        RuleName = state.RuleName,
        Deployment = state.Deployment,
        Kind = state.Kind,
        Severity = state.Severity,
        From = from,
        To = state.Status,
        Value = state.Value,
        Threshold = state.Threshold,
        Description = state.Description,
        At = now,
    };
}
