using System.Globalization;
using System.Text;
using Kiln.Core.Monitoring.Alerts;

namespace Kiln.Monitoring.Alerts.Alertmanager;

/// <summary>Builds Alertmanager webhook bodies: one message per alert change, grouped by alertname and deployment.</summary>
public static class AlertmanagerPayloads
{
    /// <summary>Alertmanager's "not ended yet" time (Go's zero time).</summary>
    public const string ZeroTime = "0001-01-01T00:00:00Z";

    /// <summary>The message announcing <paramref name="notification"/> to <paramref name="receiver"/>; <paramref name="externalUrl"/> is the Kiln server's address.</summary>
    public static AlertmanagerMessage Build(AlertNotification notification, string receiver, string externalUrl)
    {
        var state = notification.State;
        var status = notification.Resolved ? "resolved" : "firing";
        var labels = AlertLabels.Of(state, notification.Rule);
        var annotations = AlertLabels.Annotations(state, notification.Rule, notification.Resolved);
        var root = externalUrl.TrimEnd('/');
        var groupLabels = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["alertname"] = state.RuleName,
            ["deployment"] = state.Deployment,
        };
        var alert = new AlertmanagerAlert
        {
            Status = status,
            Labels = labels,
            Annotations = annotations,
            StartsAt = Time(state.FiredAt ?? state.ActiveAt ?? state.EvaluatedAt),
            EndsAt = notification.Resolved ? Time(state.ResolvedAt ?? state.EvaluatedAt) : ZeroTime,
            GeneratorUrl = $"{root}/api/alerts/rules/{Uri.EscapeDataString(state.RuleId)}",
            Fingerprint = AlertLabels.Fingerprint(labels),
        };
        return new AlertmanagerMessage
        {
            GroupKey = GroupKey(receiver, groupLabels),
            Status = status,
            Receiver = receiver,
            GroupLabels = groupLabels,
            CommonLabels = labels,
            CommonAnnotations = annotations,
            ExternalUrl = root,
            Alerts = [alert],
        };
    }

    /// <summary>
    /// A one-off event (a canary advanced, promoted or rolled back) as an Alertmanager message: a single alert named
    /// after the event kind (<c>canary.rolled_back</c> → <c>CanaryRolledBack</c>), firing, starting and ending at the
    /// event's time, with its summary and reason as annotations.
    /// </summary>
    /// <param name="alertEvent">The event.</param>
    /// <param name="receiver">The receiver name.</param>
    /// <param name="externalUrl">Kiln's external URL.</param>
    /// <returns>The message.</returns>
    public static AlertmanagerMessage FromEvent(AlertEvent alertEvent, string receiver, string externalUrl)
    {
        ArgumentNullException.ThrowIfNull(alertEvent);
        var name = string.Concat(alertEvent.Kind.Split('.', '_').Select(part => part.Length == 0 ? part : char.ToUpperInvariant(part[0]) + part[1..]));
        var labels = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["alertname"] = name,
            ["deployment"] = alertEvent.Deployment,
            ["kind"] = alertEvent.Kind,
            ["severity"] = alertEvent.Kind.EndsWith("rolled_back", StringComparison.Ordinal) ? "warning" : "info",
        };
        var annotations = new SortedDictionary<string, string>(StringComparer.Ordinal) { ["summary"] = alertEvent.Summary };
        if (alertEvent.Description is { } description)
        {
            annotations["description"] = description;
        }

        var root = externalUrl.TrimEnd('/');
        var groupLabels = new SortedDictionary<string, string>(StringComparer.Ordinal) { ["alertname"] = name, ["deployment"] = alertEvent.Deployment };
        var at = Time(alertEvent.Time);
        return new AlertmanagerMessage
        {
            GroupKey = GroupKey(receiver, groupLabels),
            Status = "firing",
            Receiver = receiver,
            GroupLabels = groupLabels,
            CommonLabels = labels,
            CommonAnnotations = annotations,
            ExternalUrl = root,
            Alerts =
            [
                new AlertmanagerAlert
                {
                    Status = "firing",
                    Labels = labels,
                    Annotations = annotations,
                    StartsAt = at,
                    EndsAt = at,
                    GeneratorUrl = $"{root}/api/deployments/{Uri.EscapeDataString(alertEvent.Deployment)}/history",
                    Fingerprint = AlertLabels.Fingerprint(labels),
                },
            ],
        };
    }

    /// <summary>RFC 3339 in UTC with milliseconds, e.g. <c>2026-11-24T05:10:00.123Z</c>.</summary>
    public static string Time(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    // Alertmanager's group key: the route's matchers, then the group labels; Kiln has one route per receiver.
    private static string GroupKey(string receiver, IReadOnlyDictionary<string, string> groupLabels)
    {
        var key = new StringBuilder("{}/{receiver=\"").Append(Escape(receiver)).Append("\"}:{");
        var first = true;
        foreach (var (name, value) in groupLabels)
        {
            key.Append(first ? "" : ", ").Append(name).Append("=\"").Append(Escape(value)).Append('"');
            first = false;
        }

        return key.Append('}').ToString();
    }

    private static string Escape(string value) => value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal);
}
