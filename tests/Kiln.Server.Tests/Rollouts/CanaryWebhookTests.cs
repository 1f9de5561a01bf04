using Kiln.Core.Monitoring.Alerts;
using Kiln.Server.Tests.Alerts;
using Kiln.Server.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Kiln.Server.Tests.Rollouts;

public sealed class CanaryWebhookTests
{
    [Fact]
    public async Task CanaryRolledBack_Event_IsReportedToTheAlertWebhookInAlertmanagerShape()
    {
        using var receiver = new WebhookReceiver();
        using var factory = new KilnAppFactory(settings: new Dictionary<string, string?>
        {
            ["Kiln:Monitoring:Alerts:Webhooks:0"] = receiver.Url,
            ["Kiln:PublicUrl"] = "https://kiln.example.com/",
        });
        using var http = factory.CreateHttpClient();
        (await http.GetAsync("/health/live")).EnsureSuccessStatusCode();
        var events = factory.Services.GetRequiredService<IAlertEventStream>();

        events.Publish(new AlertEvent("canary.rolled_back", "bank", "Canary bank/2 rolled back", new Dictionary<string, string> { ["deployment"] = "bank" }, DateTimeOffset.UtcNow)
        {
            Description = "Roll back at step 1/2 (10%): error rate: canary 5.00% vs primary 0.10%",
        });

        var (contentType, body) = await receiver.NextAsync();
        Assert.StartsWith("application/json", contentType);
        Assert.Equal("4", body.GetProperty("version").GetString());
        Assert.Equal("firing", body.GetProperty("status").GetString());
        var alert = Assert.Single(body.GetProperty("alerts").EnumerateArray());
        Assert.Equal("CanaryRolledBack", alert.GetProperty("labels").GetProperty("alertname").GetString());
        Assert.Equal("bank", alert.GetProperty("labels").GetProperty("deployment").GetString());
        Assert.Equal("warning", alert.GetProperty("labels").GetProperty("severity").GetString());
        Assert.Contains("error rate", alert.GetProperty("annotations").GetProperty("description").GetString());
        Assert.Equal("https://kiln.example.com", body.GetProperty("externalURL").GetString());
        Assert.Equal("https://kiln.example.com/api/deployments/bank/history", alert.GetProperty("generatorURL").GetString());
    }
}
