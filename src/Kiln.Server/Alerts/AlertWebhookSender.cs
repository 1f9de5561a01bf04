using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Kiln.Monitoring.Alerts.Alertmanager;
using Kiln.Server.Configuration;
using Microsoft.Extensions.Options;

namespace Kiln.Server.Alerts;

/// <summary>
/// POSTs one Alertmanager body to one webhook, trying again with doubling delays on network errors,
/// timeouts, 408, 429 and 5xx. Failures are logged with the URL's host only: webhook paths often
/// carry a secret token.
/// </summary>
internal sealed partial class AlertWebhookSender(IHttpClientFactory clients, IOptions<AlertOptions> options, TimeProvider time, ILogger<AlertWebhookSender> logger)
{
    public const string HttpClientName = "kiln-alert-webhooks";

    private static readonly MediaTypeHeaderValue JsonType = new("application/json");

    /// <summary>Sends <paramref name="message"/>; true once the receiver accepted it, false after the last try.</summary>
    public async Task<bool> SendAsync(string url, AlertmanagerMessage message, CancellationToken cancellationToken)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(message, AlertmanagerJsonContext.Default.AlertmanagerMessage);
        var settings = options.Value;
        var delay = settings.WebhookRetryDelay;
        for (var attempt = 1; ; attempt++)
        {
            string failure;
            var retryable = true;
            try
            {
                var client = clients.CreateClient(HttpClientName);
                using var content = new ByteArrayContent(body);
                content.Headers.ContentType = JsonType;
                using var response = await client.PostAsync(new Uri(url), content, cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    return true;
                }

                failure = $"HTTP {(int)response.StatusCode}";
                retryable = (int)response.StatusCode >= 500 || response.StatusCode is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                failure = e is TaskCanceledException ? "timed out" : e.Message;
            }

            if (!retryable || attempt > settings.WebhookRetries)
            {
                LogGaveUp(HostOf(url), message.Status, attempt, failure);
                return false;
            }

            LogRetrying(HostOf(url), attempt, failure, delay);
            await Task.Delay(delay, time, cancellationToken);
            delay *= 2;
        }
    }

    private static string HostOf(string url) => Uri.TryCreate(url, UriKind.Absolute, out var uri) ? $"{uri.Scheme}://{uri.Authority}" : "(invalid URL)";

    [LoggerMessage(EventId = 2311, Level = LogLevel.Warning, Message = "Alert webhook {Host} failed (attempt {Attempt}: {Failure}); retrying in {Delay}")]
    private partial void LogRetrying(string host, int attempt, string failure, TimeSpan delay);

    [LoggerMessage(EventId = 2312, Level = LogLevel.Error, Message = "Alert webhook {Host} did not take a {Status} notification after {Attempts} attempts: {Failure}")]
    private partial void LogGaveUp(string host, string status, int attempts, string failure);
}
