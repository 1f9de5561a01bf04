using Kiln.Core;
using Kiln.Core.Monitoring.Alerts;
using Kiln.Monitoring.Alerts;
using Kiln.Server.Configuration;
using Microsoft.Extensions.Options;

namespace Kiln.Server.Alerts;

/// <summary>The rules of <c>Kiln:Monitoring:Alerts</c>: the default error-rate rule (unless turned off) and the configured list.</summary>
internal sealed class ConfiguredAlertRules(IOptions<AlertOptions> options) : IConfiguredAlertRules
{
    private IReadOnlyList<AlertRule>? _rules;

    public IReadOnlyList<AlertRule> Rules => _rules ??= Build(options.Value);

    /// <summary>Builds the rules; throws a <see cref="KilnException"/> naming the first bad field (the options validator reports them at start).</summary>
    internal static IReadOnlyList<AlertRule> Build(AlertOptions options)
    {
        var rules = new List<AlertRule>();
        if (options.DefaultErrorRateRule)
        {
            rules.Add(DefaultAlertRules.ErrorRate);
        }

        foreach (var rule in options.Rules)
        {
            rules.Add(Build(rule));
        }

        return rules;
    }

    internal static AlertRule Build(AlertRuleOptions rule) =>
        AlertRules.Create(
            string.IsNullOrWhiteSpace(rule.Id) ? "config-" + rule.Name : rule.Id.Trim(),
            new AlertRuleRequest(rule.Name, rule.Kind, rule.Threshold, rule.Deployment, rule.Comparison, rule.Window, rule.For,
                rule.Metric, rule.Feature, rule.Severity, rule.Enabled, rule.Webhooks, rule.Description),
            AlertRuleSource.Config);
}
