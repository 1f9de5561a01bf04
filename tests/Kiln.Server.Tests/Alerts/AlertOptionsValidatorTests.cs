using Kiln.Server.Alerts;
using Kiln.Server.Configuration;

namespace Kiln.Server.Tests.Alerts;

public sealed class AlertOptionsValidatorTests
{
    [Fact]
    public void Validate_Defaults_Succeed() =>
        Assert.True(new AlertOptionsValidator().Validate(null, new AlertOptions()).Succeeded);

    [Fact]
    public void Validate_SeveralProblems_ReportsEveryOneNamingTheSetting()
    {
        var options = new AlertOptions
        {
            Interval = TimeSpan.Zero,
            Webhooks = ["not a url"],
            AllowedWebhookTargets = ["10.0.0.0/8", "alertmanager.internal", "10.0.0.0/99", "host:9093"],
            Rules =
            [
                new AlertRuleOptions { Name = "ok", Kind = "error_rate", Threshold = 0.05 },
                new AlertRuleOptions { Name = "bad", Kind = "quality", Threshold = 0.8 },
                new AlertRuleOptions { Name = "ok", Kind = "error_rate", Threshold = 0.05 },
            ],
        };

        var result = new AlertOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        var failures = result.Failures!.ToArray();
        Assert.Contains(failures, f => f.Contains("Kiln:Monitoring:Alerts:Interval", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("Kiln:Monitoring:Alerts:Webhooks:0", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("Rules:1:metric", StringComparison.Ordinal));
        Assert.Equal(
            ["Kiln:Monitoring:Alerts:AllowedWebhookTargets:2", "Kiln:Monitoring:Alerts:AllowedWebhookTargets:3"],
            failures.Where(f => f.Contains("AllowedWebhookTargets", StringComparison.Ordinal)).Select(f => f[..f.IndexOf(' ', StringComparison.Ordinal)]));
        Assert.Contains(failures, f => f.Contains("Rules:2: id 'config-ok' is used twice", StringComparison.Ordinal));
    }
}
