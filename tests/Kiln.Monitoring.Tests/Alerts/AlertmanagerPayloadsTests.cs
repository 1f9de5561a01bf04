using System.Text.Json;
using Kiln.Core.Monitoring.Alerts;
using Kiln.Monitoring.Alerts;
using Kiln.Monitoring.Alerts.Alertmanager;

namespace Kiln.Monitoring.Tests.Alerts;

public sealed class AlertmanagerPayloadsTests
{
    private static readonly DateTimeOffset Fired = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    private static readonly AlertRule Rule = new()
    {
        Id = "r1", Name = "AucLow", Deployment = "bank", Kind = AlertKind.Quality, Metric = "auc", Threshold = 0.8,
        Comparison = AlertComparison.LessThan, Severity = AlertSeverity.Critical,
    };

    private static AlertState State(AlertStatus status) => new()
    {
        RuleId = "r1", RuleName = "AucLow", Deployment = "bank", Kind = AlertKind.Quality, Severity = AlertSeverity.Critical, Status = status,
        Value = 0.71, Threshold = 0.8, Description = "auc 0.71 over 1h (500 labelled rows); value 0.71, alert when < 0.8",
        Since = Fired, ActiveAt = Fired, FiredAt = Fired, ResolvedAt = status == AlertStatus.Resolved ? Fired.AddMinutes(10) : null, EvaluatedAt = Fired,
    };

    private static JsonElement Serialize(AlertmanagerMessage message)
    {
        using var document = JsonDocument.Parse(JsonSerializer.Serialize(message, AlertmanagerJsonContext.Default.AlertmanagerMessage));
        return document.RootElement.Clone();
    }

    [Fact]
    public void Build_Firing_HasAlertmanagerWebhookShape()
    {
        var json = Serialize(AlertmanagerPayloads.Build(new AlertNotification(State(AlertStatus.Firing), Rule, Resolved: false), "kiln", "http://kiln.example:5080/"));

        Assert.Equal("4", json.GetProperty("version").GetString());
        Assert.Equal("firing", json.GetProperty("status").GetString());
        Assert.Equal("kiln", json.GetProperty("receiver").GetString());
        Assert.Equal("http://kiln.example:5080", json.GetProperty("externalURL").GetString());
        Assert.Equal(0, json.GetProperty("truncatedAlerts").GetInt32());
        Assert.Equal("{}/{receiver=\"kiln\"}:{alertname=\"AucLow\", deployment=\"bank\"}", json.GetProperty("groupKey").GetString());
        Assert.Equal("AucLow", json.GetProperty("groupLabels").GetProperty("alertname").GetString());
        Assert.Equal("critical", json.GetProperty("commonLabels").GetProperty("severity").GetString());
        Assert.True(json.TryGetProperty("commonAnnotations", out _));

        var alert = Assert.Single(json.GetProperty("alerts").EnumerateArray().ToArray());
        Assert.Equal("firing", alert.GetProperty("status").GetString());
        var labels = alert.GetProperty("labels");
        Assert.Equal("AucLow", labels.GetProperty("alertname").GetString());
        Assert.Equal("bank", labels.GetProperty("deployment").GetString());
        Assert.Equal("quality", labels.GetProperty("kind").GetString());
        Assert.Equal("auc", labels.GetProperty("metric").GetString());
        var annotations = alert.GetProperty("annotations");
        Assert.Contains("0.71", annotations.GetProperty("summary").GetString(), StringComparison.Ordinal);
        Assert.Contains("alert when < 0.8", annotations.GetProperty("description").GetString(), StringComparison.Ordinal);
        Assert.Equal("2026-01-01T12:00:00.000Z", alert.GetProperty("startsAt").GetString());
        Assert.Equal(AlertmanagerPayloads.ZeroTime, alert.GetProperty("endsAt").GetString());
        Assert.Equal("http://kiln.example:5080/api/alerts/rules/r1", alert.GetProperty("generatorURL").GetString());
        Assert.Matches("^[0-9a-f]{16}$", alert.GetProperty("fingerprint").GetString());
    }

    [Fact]
    public void Build_Resolved_StatusResolvedEndsAtResolution()
    {
        var json = Serialize(AlertmanagerPayloads.Build(new AlertNotification(State(AlertStatus.Resolved), Rule, Resolved: true), "kiln", "http://kiln"));

        Assert.Equal("resolved", json.GetProperty("status").GetString());
        var alert = json.GetProperty("alerts")[0];
        Assert.Equal("resolved", alert.GetProperty("status").GetString());
        Assert.Equal("2026-01-01T12:10:00.000Z", alert.GetProperty("endsAt").GetString());
    }

    [Fact]
    public void Build_FiringAndResolvedOfSameAlert_SameFingerprint()
    {
        var firing = AlertmanagerPayloads.Build(new AlertNotification(State(AlertStatus.Firing), Rule, false), "kiln", "http://kiln");
        var resolved = AlertmanagerPayloads.Build(new AlertNotification(State(AlertStatus.Resolved), Rule, true), "kiln", "http://kiln");

        Assert.Equal(firing.Alerts[0].Fingerprint, resolved.Alerts[0].Fingerprint);
    }
}
