using Kiln.Core;
using Kiln.Core.Monitoring.Alerts;

namespace Kiln.Monitoring.Tests.Alerts;

public sealed class AlertRulesTests
{
    [Fact]
    public void Create_MinimalErrorRate_DefaultsApplied()
    {
        var rule = AlertRules.Create("id1", new AlertRuleRequest("Errors", "error_rate", 0.05));

        Assert.Equal(AlertRule.AllDeployments, rule.Deployment);
        Assert.Equal(AlertComparison.GreaterThan, rule.Comparison);
        Assert.Equal(TimeSpan.FromMinutes(5), rule.Window);
        Assert.Equal(TimeSpan.Zero, rule.For);
        Assert.Equal(AlertSeverity.Warning, rule.Severity);
    }

    [Theory]
    [InlineData("auc", AlertComparison.LessThan)]
    [InlineData("rmse", AlertComparison.GreaterThan)]
    public void Create_QualityWithoutComparison_DefaultFollowsMetricDirection(string metric, AlertComparison expected) =>
        Assert.Equal(expected, AlertRules.Create("q", new AlertRuleRequest("Q", "quality", 0.8, Metric: metric)).Comparison);

    [Theory]
    [InlineData(null, "error_rate", 0.01, null, null, null, "name")]
    [InlineData("x", "bogus", 0.01, null, null, null, "kind")]
    [InlineData("x", "error_rate", 1.5, null, null, null, "threshold")]
    [InlineData("x", "error_rate", 0.01, "5 minutes", null, null, "window")]
    [InlineData("x", "quality", 0.8, null, null, null, "metric")]
    [InlineData("x", "feature_drift", 0.2, null, null, null, "feature")]
    [InlineData("x", "error_rate", 0.01, null, "auc", null, "metric")]
    [InlineData("x", "error_rate", 0.01, null, null, "ftp://hook", "webhooks[0]")]
    public void Create_InvalidField_ThrowsNamingField(string? name, string kind, double threshold, string? window, string? metric, string? webhook, string field)
    {
        var request = new AlertRuleRequest(name, kind, threshold, Window: window, Metric: metric, Webhooks: webhook is null ? null : [webhook]);

        var error = Assert.Throws<KilnException>(() => AlertRules.Create("id", request));

        Assert.Equal(field, error.Field);
    }
}
