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
