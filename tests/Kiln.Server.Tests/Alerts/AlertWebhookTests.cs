using System.Net.Http.Json;
using System.Text.Json;
using Kiln.Core.Monitoring.Alerts;
using Kiln.Monitoring.Alerts;
using Kiln.Monitoring.Alerts.Alertmanager;
using Kiln.Monitoring.Traffic;
using Kiln.Server.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Kiln.Server.Tests.Alerts;

/// <summary>
/// Alerts end to end against a real HTTP receiver: inference traffic flows into the traffic windows,
/// an error-rate rule fires and resolves, and the receiver gets Alertmanager's webhook JSON. The
/// server errors (5xx) are recorded straight into the traffic windows: a healthy model gives no way
/// to make the server fail on demand, and client errors (4xx) rightly do not count as errors.
/// </summary>
public sealed class AlertWebhookTests : IDisposable
{
    private readonly List<IDisposable> _disposables = [];

    private KilnAppFactory Factory(WebhookReceiver receiver)
    {
        var factory = new KilnAppFactory(settings: new Dictionary<string, string?>
        {
            // The schedule stays out of the way: the test drives the evaluator with the times it picks.
            ["Kiln:Monitoring:Alerts:Interval"] = "01:00:00",
            ["Kiln:Monitoring:Alerts:DefaultErrorRateRule"] = "false",
            ["Kiln:Monitoring:Alerts:Webhooks:0"] = receiver.Url,
            ["Kiln:Monitoring:Alerts:ExternalUrl"] = "http://kiln.test:5080",
            ["Kiln:Monitoring:Alerts:WebhookRetryDelay"] = "00:00:00.050",
        });
        _disposables.Add(factory);
        return factory;
    }

    private WebhookReceiver Receiver(int failFirst = 0)
    {
        var receiver = new WebhookReceiver(failFirst);
        _disposables.Add(receiver);
        return receiver;
    }

    [Fact]
    public async Task ErrorRateRule_FailingThenHealthyTraffic_ReceiverGetsAlertmanagerFiringThenResolved()
    {
        var receiver = Receiver();
        var factory = Factory(receiver);
        await Requests.DeployGbtAsync(factory);
        using var client = factory.CreateKilnClient();
        var rule = await client.CreateAlertRuleAsync(new AlertRuleRequest("GbtServerErrors", "error_rate", 0.1, Deployment: "gbt", Window: "5m", For: "30s", Severity: "critical"));
        using var http = factory.CreateHttpClient();
        await SendGoodRequestsAsync(http, 15);
        await SendBadRequestsAsync(http, 5);
        RecordServerErrors(factory, 6);
        var evaluator = factory.Services.GetRequiredService<AlertEvaluator>();
        var t0 = TimeProvider.System.GetUtcNow();

        var pending = await evaluator.EvaluateAsync(t0);
        var firing = await evaluator.EvaluateAsync(t0.AddSeconds(31));

        Assert.Equal(AlertStatus.Pending, pending.Find(rule.Id, "gbt")!.Status);
        Assert.Equal(AlertStatus.Firing, firing.Find(rule.Id, "gbt")!.Status);
        var (contentType, fired) = await receiver.NextAsync();
        Assert.StartsWith("application/json", contentType, StringComparison.Ordinal);
        AssertAlertmanagerShape(fired, "firing", rule.Id);
        var firedAlert = fired.GetProperty("alerts")[0];
        Assert.Equal(AlertmanagerPayloads.Time(t0.AddSeconds(31)), firedAlert.GetProperty("startsAt").GetString());
        Assert.Equal(AlertmanagerPayloads.ZeroTime, firedAlert.GetProperty("endsAt").GetString());
        Assert.Contains("alert when > 0.1", firedAlert.GetProperty("annotations").GetProperty("description").GetString(), StringComparison.Ordinal);
        Assert.Contains("6 of", firedAlert.GetProperty("annotations").GetProperty("description").GetString(), StringComparison.Ordinal);

        await SendGoodRequestsAsync(http, 70);
        var resolved = await evaluator.EvaluateAsync(t0.AddSeconds(60));

        Assert.Equal(AlertStatus.Resolved, resolved.Find(rule.Id, "gbt")!.Status);
        var (_, resolvedBody) = await receiver.NextAsync();
        AssertAlertmanagerShape(resolvedBody, "resolved", rule.Id);
        var resolvedAlert = resolvedBody.GetProperty("alerts")[0];
        Assert.Equal(AlertmanagerPayloads.Time(t0.AddSeconds(60)), resolvedAlert.GetProperty("endsAt").GetString());
        Assert.Equal(firedAlert.GetProperty("fingerprint").GetString(), resolvedAlert.GetProperty("fingerprint").GetString());

        var history = await client.ListAlertHistoryAsync("gbt");
        Assert.Equal([AlertStatus.Resolved, AlertStatus.Firing, AlertStatus.Pending], history.Select(t => t.To));
        Assert.Equal(AlertStatus.Resolved, (await client.ListAlertsAsync("gbt")).Single(s => s.RuleId == rule.Id).Status);
    }

    [Fact]
    public async Task Webhook_ReceiverFailsTwice_RetriedUntilDelivered()
    {
        var receiver = Receiver(failFirst: 2);
        var factory = Factory(receiver);
        await Requests.DeployGbtAsync(factory);
        using var client = factory.CreateKilnClient();
        var rule = await client.CreateAlertRuleAsync(new AlertRuleRequest("GbtErrors", "error_rate", 0.1, Deployment: "gbt"));
        using var http = factory.CreateHttpClient();
        await SendGoodRequestsAsync(http, 10);
        RecordServerErrors(factory, 10);

        await factory.Services.GetRequiredService<AlertEvaluator>().EvaluateAsync(TimeProvider.System.GetUtcNow());

        var (_, body) = await receiver.NextAsync();
        AssertAlertmanagerShape(body, "firing", rule.Id);
        Assert.Equal(3, receiver.Calls);
    }

    [Fact]
    public async Task ErrorRateRule_OnlyClientErrors_DoesNotFire()
    {
        var receiver = Receiver();
        var factory = Factory(receiver);
        await Requests.DeployGbtAsync(factory);
        using var client = factory.CreateKilnClient();
        var rule = await client.CreateAlertRuleAsync(new AlertRuleRequest("GbtErrors", "error_rate", 0.01, Deployment: "gbt"));
        using var http = factory.CreateHttpClient();
        await SendBadRequestsAsync(http, 20);
        await SendGoodRequestsAsync(http, 10);

        var evaluation = await factory.Services.GetRequiredService<AlertEvaluator>().EvaluateAsync(TimeProvider.System.GetUtcNow());

        var state = evaluation.Find(rule.Id, "gbt")!;
        Assert.NotEqual(AlertStatus.Firing, state.Status);
        Assert.Equal(0, receiver.Calls);
    }

    public void Dispose()
    {
        foreach (var disposable in Enumerable.Reverse(_disposables))
        {
            disposable.Dispose();
        }
    }

    private static void AssertAlertmanagerShape(JsonElement body, string status, string ruleId)
    {
        Assert.Equal("4", body.GetProperty("version").GetString());
        Assert.Equal(status, body.GetProperty("status").GetString());
        Assert.Equal("kiln", body.GetProperty("receiver").GetString());
        Assert.Equal("http://kiln.test:5080", body.GetProperty("externalURL").GetString());
        Assert.False(string.IsNullOrEmpty(body.GetProperty("groupKey").GetString()));
        Assert.Equal(0, body.GetProperty("truncatedAlerts").GetInt32());
        Assert.Equal("gbt", body.GetProperty("groupLabels").GetProperty("deployment").GetString());
        Assert.Equal("gbt", body.GetProperty("commonLabels").GetProperty("deployment").GetString());
        Assert.Equal(JsonValueKind.Object, body.GetProperty("commonAnnotations").ValueKind);
        var alert = Assert.Single(body.GetProperty("alerts").EnumerateArray().ToArray());
        Assert.Equal(status, alert.GetProperty("status").GetString());
        var labels = alert.GetProperty("labels");
        Assert.Equal("gbt", labels.GetProperty("deployment").GetString());
        Assert.Equal("error_rate", labels.GetProperty("kind").GetString());
        Assert.Equal(ruleId, labels.GetProperty("rule_id").GetString());
        Assert.True(labels.TryGetProperty("alertname", out _));
        Assert.True(labels.TryGetProperty("severity", out _));
        Assert.False(string.IsNullOrEmpty(alert.GetProperty("annotations").GetProperty("summary").GetString()));
        Assert.Equal($"http://kiln.test:5080/api/alerts/rules/{ruleId}", alert.GetProperty("generatorURL").GetString());
        Assert.Matches("^[0-9a-f]{16}$", alert.GetProperty("fingerprint").GetString());
    }

    private static async Task SendGoodRequestsAsync(HttpClient http, int count)
    {
        var rows = TestModels.Case("gbt_sklearn").GetProperty("inputs").GetProperty("float_input");
        for (var i = 0; i < count; i++)
        {
            using var response = await http.PostJsonAsync("/v2/models/gbt/infer", Requests.GbtV2Request(rows));
            response.EnsureSuccessStatusCode();
        }
    }

    private static async Task SendBadRequestsAsync(HttpClient http, int count)
    {
        for (var i = 0; i < count; i++)
        {
            using var response = await http.PostAsync("/v2/models/gbt/infer", Requests.Json("""{"inputs":[{"name":"float_input","shape":[1,2],"datatype":"FP32","data":[1,2]}]}"""));
            Assert.InRange((int)response.StatusCode, 400, 499);
        }
    }

    private static void RecordServerErrors(KilnAppFactory factory, int count)
    {
        var traffic = factory.Services.GetRequiredService<TrafficWindows>();
        for (var i = 0; i < count; i++)
        {
            traffic.Record("gbt", "primary", 500, 0.005);
        }
    }
}
