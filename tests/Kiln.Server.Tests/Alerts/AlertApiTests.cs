using System.Net;
using Kiln.Client;
using Kiln.Core.Monitoring.Alerts;
using Kiln.Core.Security;
using Kiln.Monitoring.Alerts;
using Kiln.Server.Tests.Support;

namespace Kiln.Server.Tests.Alerts;

public sealed class AlertApiTests : IDisposable
{
    private readonly KilnAppFactory _factory = new(settings: new Dictionary<string, string?>
    {
        ["Kiln:Monitoring:Alerts:Interval"] = "01:00:00",
        ["Kiln:Monitoring:Alerts:Rules:0:Name"] = "BankAucLow",
        ["Kiln:Monitoring:Alerts:Rules:0:Kind"] = "quality",
        ["Kiln:Monitoring:Alerts:Rules:0:Metric"] = "auc",
        ["Kiln:Monitoring:Alerts:Rules:0:Threshold"] = "0.75",
        ["Kiln:Monitoring:Alerts:Rules:0:Deployment"] = "bank",
        ["Kiln:Monitoring:Alerts:Rules:0:Window"] = "1h",
    });

    [Fact]
    public async Task ListRules_Defaults_DefaultErrorRateAndConfigRulesReadOnly()
    {
        using var client = _factory.CreateKilnClient();

        var rules = await client.ListAlertRulesAsync();

        var errorRate = Assert.Single(rules, r => r.Id == DefaultAlertRules.ErrorRateId);
        Assert.Equal(AlertKind.ErrorRate, errorRate.Kind);
        Assert.Equal(0.01, errorRate.Threshold);
        Assert.Equal(TimeSpan.FromMinutes(5), errorRate.Window);
        Assert.Equal(AlertRule.AllDeployments, errorRate.Deployment);
        Assert.Equal(AlertRuleSource.Config, errorRate.Source);
        var auc = Assert.Single(rules, r => r.Id == "config-BankAucLow");
        Assert.Equal(AlertComparison.LessThan, auc.Comparison);
        Assert.Equal(AlertRuleSource.Config, auc.Source);
        var conflict = await Assert.ThrowsAsync<KilnApiException>(() => client.DeleteAlertRuleAsync(DefaultAlertRules.ErrorRateId));
        Assert.Equal(HttpStatusCode.Conflict, conflict.Status);
    }

    [Fact]
    public async Task Rules_CreateGetUpdateDelete_RoundTrips()
    {
        using var client = _factory.CreateKilnClient();

        var created = await client.CreateAlertRuleAsync(new AlertRuleRequest("SlowBank", "latency_p99", 250, Deployment: "bank", Window: "10m", For: "2m",
            Severity: "critical", Webhooks: ["https://hooks.example/a"], Description: "p99 over 250 ms"));
        var fetched = await client.GetAlertRuleAsync(created.Id);
        var updated = await client.UpdateAlertRuleAsync(created.Id, new AlertRuleRequest("SlowBank", "latency_p99", 400, Deployment: "bank", Enabled: false));

        Assert.Equal(AlertRuleSource.Api, created.Source);
        Assert.Equal(TimeSpan.FromMinutes(10), fetched.Window);
        Assert.Equal(TimeSpan.FromMinutes(2), fetched.For);
        Assert.Equal(AlertSeverity.Critical, fetched.Severity);
        Assert.Equal(["https://hooks.example/a"], fetched.Webhooks);
        Assert.NotNull(fetched.CreatedAt);
        Assert.Equal(400, updated.Threshold);
        Assert.False(updated.Enabled);
        Assert.Contains(await client.ListAlertRulesAsync(), r => r.Id == created.Id);

        await client.DeleteAlertRuleAsync(created.Id);

        Assert.Equal(HttpStatusCode.NotFound, (await Assert.ThrowsAsync<KilnApiException>(() => client.GetAlertRuleAsync(created.Id))).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await Assert.ThrowsAsync<KilnApiException>(() => client.DeleteAlertRuleAsync(created.Id))).Status);
    }

    [Fact]
    public async Task CreateRule_WireFormat_SnakeCaseKindAndDurations()
    {
        using var http = _factory.CreateHttpClient();

        using var response = await http.PostAsync("/api/alerts/rules", Requests.Json("""{"name":"Drift","kind":"feature_drift","feature":"age","threshold":0.2,"window":"1h","for":"15m"}"""));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.ReadJsonAsync();
        Assert.Equal("feature_drift", body.GetProperty("kind").GetString());
        Assert.Equal("gt", body.GetProperty("comparison").GetString());
        Assert.Equal("1h", body.GetProperty("window").GetString());
        Assert.Equal("15m", body.GetProperty("for").GetString());
        Assert.Equal("api", body.GetProperty("source").GetString());
        Assert.Equal("*", body.GetProperty("deployment").GetString());
        Assert.Equal($"/api/alerts/rules/{body.GetProperty("id").GetString()}", response.Headers.Location!.OriginalString);
    }

    [Theory]
    [InlineData("""{"kind":"error_rate","threshold":0.01}""", "name")]
    [InlineData("""{"name":"x","kind":"cpu","threshold":0.01}""", "kind")]
    [InlineData("""{"name":"x","kind":"error_rate"}""", "threshold")]
    [InlineData("""{"name":"x","kind":"error_rate","threshold":5}""", "threshold")]
    [InlineData("""{"name":"x","kind":"error_rate","threshold":0.01,"window":"soon"}""", "window")]
    [InlineData("""{"name":"x","kind":"error_rate","threshold":0.01,"comparison":"bigger"}""", "comparison")]
    [InlineData("""{"name":"x","kind":"quality","threshold":0.8}""", "metric")]
    [InlineData("""{"name":"x","kind":"error_rate","threshold":0.01,"deployment":"no spaces"}""", "deployment")]
    [InlineData("""{"name":"x","kind":"error_rate","threshold":0.01,"webhooks":["not a url"]}""", "webhooks[0]")]
    [InlineData("""{"name":"x","kind":"error_rate","threshold":0.01,"webhooks":["http://127.0.0.1:5080/api/keys"]}""", "webhooks[0]")]
    [InlineData("""{"name":"x","kind":"error_rate","threshold":0.01,"webhooks":["https://hooks.example/a","http://169.254.169.254/latest/meta-data"]}""", "webhooks[1]")]
    [InlineData("""{"name":"x","kind":"error_rate","threshold":0.01,"webhooks":["http://localhost:9093/"]}""", "webhooks[0]")]
    [InlineData("""{"name":"x","kind":"error_rate","threshold":0.01,"webhooks":["http://[::ffff:10.0.0.8]/"]}""", "webhooks[0]")]
    public async Task CreateRule_InvalidField_400ProblemNamingField(string json, string field)
    {
        using var http = _factory.CreateHttpClient();

        using var response = await http.PostAsync("/api/alerts/rules", Requests.Json(json));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal(field, (await response.ReadJsonAsync()).GetProperty("field").GetString());
    }

    [Fact]
    public async Task CreateRule_PrivateWebhookTarget_IsAcceptedOnceAllowed()
    {
        using var allowing = new KilnAppFactory(settings: new Dictionary<string, string?>
        {
            ["Kiln:Monitoring:Alerts:AllowedWebhookTargets:0"] = "10.0.0.0/8",
            ["Kiln:Monitoring:Alerts:AllowedWebhookTargets:1"] = "localhost",
        });
        using var admin = allowing.CreateKilnClient();

        var created = await admin.CreateAlertRuleAsync(new AlertRuleRequest("Internal", "error_rate", 0.05, Webhooks: ["http://10.1.2.3:9000/kiln", "http://localhost:9093/"]));
        var refused = await Assert.ThrowsAsync<KilnApiException>(() => admin.CreateAlertRuleAsync(new AlertRuleRequest("Lan", "error_rate", 0.05, Webhooks: ["http://192.168.1.5/"])));

        Assert.Equal(2, created.Webhooks.Count);
        Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
        Assert.Contains("AllowedWebhookTargets", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rules_ViewerKey_ReadsWithoutWebhookSecretsButCannotChange()
    {
        using var admin = _factory.CreateKilnClient();
        var viewerKey = await admin.CreateKeyAsync("viewer", KilnRole.Viewer);
        using var viewer = _factory.CreateKilnClient(viewerKey.Key);

        var created = await admin.CreateAlertRuleAsync(new AlertRuleRequest("Hooked", "error_rate", 0.05, Webhooks: ["https://hooks.example/T0/secret-token"]));
        Assert.Equal(["https://hooks.example/…"], (await viewer.GetAlertRuleAsync(created.Id)).Webhooks);
        Assert.Equal(["https://hooks.example/T0/secret-token"], (await admin.GetAlertRuleAsync(created.Id)).Webhooks);
        Assert.NotEmpty(await viewer.ListAlertRulesAsync());
        Assert.Empty(await viewer.ListAlertsAsync());
        var denied = await Assert.ThrowsAsync<KilnApiException>(() => viewer.CreateAlertRuleAsync(new AlertRuleRequest("x", "error_rate", 0.01)));
        Assert.Equal(HttpStatusCode.Forbidden, denied.Status);
    }

    [Fact]
    public async Task History_BadSince_400NamingField()
    {
        using var http = _factory.CreateHttpClient();

        using var response = await http.GetAsync("/api/alerts/history?since=yesterday");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("since", (await response.ReadJsonAsync()).GetProperty("field").GetString());
    }

    [Fact]
    public async Task Alerts_DeploymentWithoutTraffic_NoDataStatesNeverFire()
    {
        await Requests.DeployGbtAsync(_factory, deployment: "bank");
        using var client = _factory.CreateKilnClient();
        var evaluator = (AlertEvaluator)_factory.Services.GetService(typeof(AlertEvaluator))!;

        await evaluator.EvaluateAsync(TimeProvider.System.GetUtcNow());

        var states = await client.ListAlertsAsync("bank");
        var errorRate = Assert.Single(states, s => s.RuleId == DefaultAlertRules.ErrorRateId);
        Assert.Equal(AlertStatus.NoData, errorRate.Status);
        Assert.Contains("no requests", errorRate.Description, StringComparison.Ordinal);
        var auc = Assert.Single(states, s => s.RuleId == "config-BankAucLow");
        Assert.Equal(AlertStatus.NoData, auc.Status);
        Assert.Empty(await client.ListAlertsAsync("bank", activeOnly: true));
    }

    public void Dispose() => _factory.Dispose();
}
