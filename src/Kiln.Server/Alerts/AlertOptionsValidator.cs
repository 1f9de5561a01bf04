using Kiln.Core;
using Kiln.Core.Monitoring.Alerts;
using Kiln.Server.Configuration;
using Microsoft.Extensions.Options;

namespace Kiln.Server.Alerts;

/// <summary>Checks the alert settings at start, every configured rule included, and reports all problems at once.</summary>
internal sealed class AlertOptionsValidator : IValidateOptions<AlertOptions>
{
    public ValidateOptionsResult Validate(string? name, AlertOptions options)
    {
        const string section = AlertOptions.SectionName;
        var errors = new List<string>();
        if (options.Interval < TimeSpan.FromSeconds(1) || options.Interval > TimeSpan.FromHours(1))
        {
            errors.Add($"{section}:Interval must be between 1 second and 1 hour.");
        }

        for (var i = 0; i < options.Webhooks.Count; i++)
        {
            if (!AlertRules.IsWebhookUrl(options.Webhooks[i]))
            {
                errors.Add($"{section}:Webhooks:{i} must be an absolute http or https URL.");
            }
        }

        if (options.ExternalUrl is not null && !Uri.TryCreate(options.ExternalUrl, UriKind.Absolute, out _))
        {
            errors.Add($"{section}:ExternalUrl must be an absolute URL.");
        }

        for (var i = 0; i < options.AllowedWebhookTargets.Count; i++)
        {
            var entry = options.AllowedWebhookTargets[i]?.Trim();
            if (string.IsNullOrEmpty(entry) || (!NetworkRange.TryParse(entry, out _) && Uri.CheckHostName(entry) != UriHostNameType.Dns))
            {
                errors.Add($"{section}:AllowedWebhookTargets:{i} must be a host name, an address or a CIDR range such as 10.0.0.0/8.");
            }
        }

        if (string.IsNullOrWhiteSpace(options.Receiver))
        {
            errors.Add($"{section}:Receiver must not be empty.");
        }

        if (options.MinimumRequests < 1)
        {
            errors.Add($"{section}:MinimumRequests must be at least 1.");
        }

        if (options.WebhookTimeout <= TimeSpan.Zero || options.WebhookRetries is < 0 or > 10 || options.WebhookRetryDelay < TimeSpan.Zero)
        {
            errors.Add($"{section}: WebhookTimeout must be positive, WebhookRetries 0-10 and WebhookRetryDelay not negative.");
        }

        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.Rules.Count; i++)
        {
            try
            {
                var rule = ConfiguredAlertRules.Build(options.Rules[i]);
                if (!ids.Add(rule.Id) || (options.DefaultErrorRateRule && rule.Id == Kiln.Monitoring.Alerts.DefaultAlertRules.ErrorRateId))
                {
                    errors.Add($"{section}:Rules:{i}: id '{rule.Id}' is used twice.");
                }
            }
            catch (KilnException e)
            {
                errors.Add($"{section}:Rules:{i}:{e.Message}");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
