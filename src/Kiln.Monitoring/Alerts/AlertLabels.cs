using System.Globalization;
using Kiln.Core.Monitoring.Alerts;

namespace Kiln.Monitoring.Alerts;

/// <summary>The labels and annotations of an alert, shared by webhook payloads and published events.</summary>
public static class AlertLabels
{
    /// <summary>Identifying labels: alertname, deployment, severity, kind, rule_id, and metric or feature when the rule has one.</summary>
    public static SortedDictionary<string, string> Of(AlertState state, AlertRule? rule)
    {
        var labels = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["alertname"] = state.RuleName,
            ["deployment"] = state.Deployment,
            ["severity"] = AlertWireNames.Name(state.Severity),
            ["kind"] = AlertWireNames.Name(state.Kind),
            ["rule_id"] = state.RuleId,
        };
        if (rule?.Metric is { } metric)
        {
            labels["metric"] = metric;
        }

        if (rule?.Feature is { } feature)
        {
            labels["feature"] = feature;
        }

        return labels;
    }

    /// <summary>Annotations for people: summary, description (the value and the threshold), value and threshold.</summary>
    public static SortedDictionary<string, string> Annotations(AlertState state, AlertRule? rule, bool resolved)
    {
        var annotations = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["summary"] = Summary(state, resolved),
            ["description"] = rule?.Description is { } text ? $"{state.Description}. {text}" : state.Description,
            ["threshold"] = state.Threshold.ToString(CultureInfo.InvariantCulture),
        };
        if (state.Value is { } value)
        {
            annotations["value"] = value.ToString(CultureInfo.InvariantCulture);
        }

        return annotations;
    }

    /// <summary>One line: which alert, where, and the value against the threshold.</summary>
    public static string Summary(AlertState state, bool resolved)
    {
        var verb = resolved ? "resolved" : "firing";
        var value = state.Value is { } v ? $"{AlertWireNames.Name(state.Kind)} {AlertStateMachine.FormatValue(v)} (threshold {AlertStateMachine.FormatValue(state.Threshold)})" : "no data";
        return $"{state.RuleName} {verb} on {state.Deployment}: {value}";
    }

    /// <summary>A stable id of a label set: FNV-1a 64 over the sorted pairs, 16 hex digits (as Alertmanager shows fingerprints).</summary>
    public static string Fingerprint(IReadOnlyDictionary<string, string> labels)
    {
        const ulong offset = 14695981039346656037;
        const ulong prime = 1099511628211;
        var hash = offset;
        foreach (var (name, value) in labels.OrderBy(l => l.Key, StringComparer.Ordinal))
        {
            foreach (var c in name)
            {
                hash = (hash ^ c) * prime;
            }

            hash = (hash ^ 0xff) * prime;
            foreach (var c in value)
            {
                hash = (hash ^ c) * prime;
            }

            hash = (hash ^ 0xff) * prime;
        }

        return hash.ToString("x16", CultureInfo.InvariantCulture);
    }
}
