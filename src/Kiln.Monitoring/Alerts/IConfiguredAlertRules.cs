using Kiln.Core.Monitoring.Alerts;

namespace Kiln.Monitoring.Alerts;

/// <summary>The read-only rules of the host's configuration, the default error-rate rule included when enabled.</summary>
public interface IConfiguredAlertRules
{
    /// <summary>The configured rules, each with <see cref="AlertRuleSource.Config"/>.</summary>
    IReadOnlyList<AlertRule> Rules { get; }
}
