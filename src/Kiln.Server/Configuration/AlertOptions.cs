namespace Kiln.Server.Configuration;

/// <summary>Alert rules, their schedule and where notifications go (<c>Kiln:Monitoring:Alerts</c>).</summary>
public sealed class AlertOptions
{
    public const string SectionName = "Kiln:Monitoring:Alerts";

    /// <summary>How often every rule is evaluated.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Whether the built-in rule runs: error rate above 1% over 5 minutes, on every deployment.</summary>
    public bool DefaultErrorRateRule { get; set; } = true;

    /// <summary>Webhook URLs notified of every alert firing and resolving (Alertmanager's webhook JSON).</summary>
    public List<string> Webhooks { get; set; } = [];

    /// <summary>Read-only rules (<c>source: config</c>); the same fields as the API's, durations as <c>5m</c>.</summary>
    public List<AlertRuleOptions> Rules { get; set; } = [];

    /// <summary>
    /// Kiln's address as receivers should link to it (<c>externalURL</c>, <c>generatorURL</c>); empty: the server's
    /// public URL (<c>Kiln:PublicUrl</c>, else the address it listens on).
    /// </summary>
    public string? ExternalUrl { get; set; }

    /// <summary>
    /// Loopback and private targets webhooks may reach: host names, addresses or CIDR ranges (<c>10.0.0.0/8</c>).
    /// Public addresses and the hosts of webhooks written in configuration are always allowed.
    /// </summary>
    public List<string> AllowedWebhookTargets { get; set; } = [];

    /// <summary>The <c>receiver</c> name in webhook bodies.</summary>
    public string Receiver { get; set; } = "kiln";

    /// <summary>Fewer requests than this in a window is "no data" for error-rate and latency rules.</summary>
    public int MinimumRequests { get; set; } = 10;

    /// <summary>How long one webhook call may take.</summary>
    public TimeSpan WebhookTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How many times a failed webhook call is tried again (with doubling delays from <see cref="WebhookRetryDelay"/>).</summary>
    public int WebhookRetries { get; set; } = 3;

    /// <summary>The delay before the first retry of a failed webhook call.</summary>
    public TimeSpan WebhookRetryDelay { get; set; } = TimeSpan.FromSeconds(1);
}

/// <summary>One rule in configuration; see <see cref="Kiln.Core.Monitoring.Alerts.AlertRuleRequest"/> for the fields.</summary>
public sealed class AlertRuleOptions
{
    /// <summary>The rule's id (default: <c>config-</c> and its name).</summary>
    public string? Id { get; set; }

    public string? Name { get; set; }

    public string? Kind { get; set; }

    public double? Threshold { get; set; }

    public string? Deployment { get; set; }

    public string? Comparison { get; set; }

    public string? Window { get; set; }

    public string? For { get; set; }

    public string? Metric { get; set; }

    public string? Feature { get; set; }

    public string? Severity { get; set; }

    public bool? Enabled { get; set; }

    public List<string> Webhooks { get; set; } = [];

    public string? Description { get; set; }
}
