using Kiln.Core.Monitoring.Alerts;
using Kiln.Core.Security;
using Kiln.Server.Security;

namespace Kiln.Server.Alerts;

/// <summary>
/// Webhook URLs often carry a secret token in their path (chat and incident tools do this), so
/// callers below deployer see only the scheme and host: <c>https://hooks.example.com/…</c>.
/// </summary>
internal static class WebhookRedaction
{
    public static bool MaySeeWebhooks(HttpContext context) =>
        KilnClaims.RoleOf(context.User) >= KilnRole.Deployer;

    public static AlertRule ForCaller(AlertRule rule, HttpContext context) =>
        rule.Webhooks.Count == 0 || MaySeeWebhooks(context) ? rule : rule with { Webhooks = rule.Webhooks.Select(Redact).ToArray() };

    /// <summary>The rule with every webhook redacted, for records kept longer than the rule (the audit log).</summary>
    public static AlertRule Redacted(AlertRule rule) => rule.Webhooks.Count == 0 ? rule : rule with { Webhooks = rule.Webhooks.Select(Redact).ToArray() };

    public static string Redact(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) ? $"{uri.Scheme}://{uri.Authority}/…" : "…";
}
