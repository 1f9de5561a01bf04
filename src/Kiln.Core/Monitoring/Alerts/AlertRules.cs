using System.Text.RegularExpressions;
using Kiln.Core.Registry;

namespace Kiln.Core.Monitoring.Alerts;

/// <summary>Turns an <see cref="AlertRuleRequest"/> into a valid <see cref="AlertRule"/>, naming the field at fault otherwise.</summary>
public static partial class AlertRules
{
    /// <summary>The most webhooks one rule may name.</summary>
    public const int MaxWebhooks = 10;

    private static readonly TimeSpan MaxWindow = TimeSpan.FromDays(30);
    private static readonly TimeSpan MaxFor = TimeSpan.FromDays(7);

    // Metrics where a larger value is worse: a quality rule on them fires above the threshold by default.
    private static readonly HashSet<string> LowerIsBetter = new(StringComparer.OrdinalIgnoreCase)
    {
        "rmse", "mse", "mae", "mape", "log_loss", "logloss", "brier", "error_rate",
    };

    /// <summary>Validates <paramref name="request"/> and builds the rule; throws <see cref="KilnException"/> (400) naming the field.</summary>
    public static AlertRule Create(string id, AlertRuleRequest request, AlertRuleSource source = AlertRuleSource.Api)
    {
        if (request.Name is not { Length: > 0 and <= 128 } name || !NamePattern().IsMatch(name))
        {
            throw KilnException.Invalid("name", "is required: 1-128 characters, letters, digits, '.', '_', ':' or '-', starting with a letter or digit.");
        }

        if (!AlertWireNames.TryParseKind(request.Kind, out var kind))
        {
            throw KilnException.Invalid("kind", $"must be one of {AlertWireNames.KindNames}.");
        }

        var threshold = request.Threshold ?? throw KilnException.Invalid("threshold", "is required.");
        if (!double.IsFinite(threshold))
        {
            throw KilnException.Invalid("threshold", "must be a finite number.");
        }

        if (kind is AlertKind.ErrorRate or AlertKind.DatasetDrift or AlertKind.LabelCoverage && threshold is < 0 or > 1)
        {
            throw KilnException.Invalid("threshold", $"is a share for {AlertWireNames.Name(kind)}: between 0 and 1 (0.01 = 1%).");
        }

        if (kind == AlertKind.LatencyP99 && threshold < 0)
        {
            throw KilnException.Invalid("threshold", "is a latency in milliseconds: 0 or more.");
        }

        var deployment = string.IsNullOrWhiteSpace(request.Deployment) ? AlertRule.AllDeployments : request.Deployment.Trim();
        if (deployment != AlertRule.AllDeployments)
        {
            ModelName.Validate(deployment, "deployment");
        }

        var metric = Optional(request.Metric);
        var feature = Optional(request.Feature);
        if (kind is AlertKind.Quality or AlertKind.QualityDrop)
        {
            if (metric is null)
            {
                throw KilnException.Invalid("metric", $"is required for {AlertWireNames.Name(kind)}: e.g. accuracy, auc, f1 or rmse.");
            }
        }
        else if (metric is not null)
        {
            throw KilnException.Invalid("metric", "applies only to quality and quality_drop rules.");
        }

        if (kind == AlertKind.FeatureDrift)
        {
            if (feature is null)
            {
                throw KilnException.Invalid("feature", "is required for feature_drift.");
            }
        }
        else if (feature is not null)
        {
            throw KilnException.Invalid("feature", "applies only to feature_drift rules.");
        }

        if (metric is { Length: > 128 } || feature is { Length: > 256 })
        {
            throw KilnException.Invalid(metric is { Length: > 128 } ? "metric" : "feature", "is too long.");
        }

        var comparison = DefaultComparison(kind, metric);
        if (request.Comparison is not null && !AlertWireNames.TryParseComparison(request.Comparison, out comparison))
        {
            throw KilnException.Invalid("comparison", "must be gt, ge, lt or le.");
        }

        var window = Duration(request.Window, "window", DefaultWindow(kind), TimeSpan.FromSeconds(1), MaxWindow);
        var forDuration = Duration(request.For, "for", TimeSpan.Zero, TimeSpan.Zero, MaxFor);
        var severity = AlertSeverity.Warning;
        if (request.Severity is not null && !AlertWireNames.TryParseSeverity(request.Severity, out severity))
        {
            throw KilnException.Invalid("severity", "must be info, warning or critical.");
        }

        var webhooks = request.Webhooks ?? [];
        if (webhooks.Count > MaxWebhooks)
        {
            throw KilnException.Invalid("webhooks", $"may name at most {MaxWebhooks} URLs.");
        }

        for (var i = 0; i < webhooks.Count; i++)
        {
            if (!IsWebhookUrl(webhooks[i]))
            {
                throw KilnException.Invalid($"webhooks[{i}]", "must be an absolute http or https URL.");
            }
        }

        if (request.Description is { Length: > 2000 })
        {
            throw KilnException.Invalid("description", "may be at most 2000 characters.");
        }

        return new AlertRule
        {
            Id = id,
            Name = name,
            Deployment = deployment,
            Kind = kind,
            Threshold = threshold,
            Comparison = comparison,
            Window = window,
            For = forDuration,
            Metric = metric,
            Feature = feature,
            Severity = severity,
            Enabled = request.Enabled ?? true,
            Source = source,
            Webhooks = webhooks.Select(w => w.Trim()).ToArray(),
            Description = Optional(request.Description),
        };
    }

    /// <summary>Whether <paramref name="url"/> is an absolute http or https URL.</summary>
    public static bool IsWebhookUrl(string? url) =>
        Uri.TryCreate(url?.Trim(), UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);

    /// <summary>The comparison a kind uses when the rule names none.</summary>
    public static AlertComparison DefaultComparison(AlertKind kind, string? metric) => kind switch
    {
        AlertKind.LabelCoverage => AlertComparison.LessThan,
        AlertKind.Quality when metric is null || !LowerIsBetter.Contains(metric) => AlertComparison.LessThan,
        _ => AlertComparison.GreaterThan,
    };

    /// <summary>Whether a larger value of <paramref name="metric"/> is worse (rmse, mae, log_loss…).</summary>
    public static bool IsLowerBetter(string metric) => LowerIsBetter.Contains(metric);

    /// <summary>The window a kind uses when the rule names none: 5 minutes for traffic, an hour for data and quality.</summary>
    public static TimeSpan DefaultWindow(AlertKind kind) =>
        kind is AlertKind.ErrorRate or AlertKind.LatencyP99 ? TimeSpan.FromMinutes(5) : TimeSpan.FromHours(1);

    private static TimeSpan Duration(string? text, string field, TimeSpan fallback, TimeSpan min, TimeSpan max)
    {
        if (text is null)
        {
            return fallback;
        }

        if (!DurationText.TryParse(text, out var duration))
        {
            throw KilnException.Invalid(field, "must be a duration like 30s, 5m, 1h30m or 2d.");
        }

        return duration >= min && duration <= max
            ? duration
            : throw KilnException.Invalid(field, $"must be between {DurationText.Format(min)} and {DurationText.Format(max)}.");
    }

    private static string? Optional(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._:-]*$", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();
}
