using System.Net;
using System.Net.Sockets;
using Kiln.Core;
using Kiln.Server.Configuration;
using Microsoft.Extensions.Options;

namespace Kiln.Server.Alerts;

/// <summary>
/// Where alert webhooks may go. Public addresses are always allowed; loopback, private, link-local (the cloud metadata
/// service), carrier-grade NAT, multicast and reserved addresses only when <c>Kiln:Monitoring:Alerts:AllowedWebhookTargets</c>
/// names the host, the address or a range holding it, so a deployer cannot aim Kiln at its own admin ports or the
/// network behind it. Hosts of the webhooks in configuration are allowed: the operator wrote them.
/// The check runs twice: when a rule is saved (for addresses written in the URL) and when connecting (for the
/// addresses a name resolves to, so a name that later resolves to a private address is refused too).
/// </summary>
internal sealed class WebhookTargetPolicy
{
    private static readonly IPNetwork[] NonPublic =
    [
        IPNetwork.Parse("0.0.0.0/8"), IPNetwork.Parse("10.0.0.0/8"), IPNetwork.Parse("100.64.0.0/10"), IPNetwork.Parse("127.0.0.0/8"),
        IPNetwork.Parse("169.254.0.0/16"), IPNetwork.Parse("172.16.0.0/12"), IPNetwork.Parse("192.0.0.0/24"), IPNetwork.Parse("192.168.0.0/16"),
        IPNetwork.Parse("198.18.0.0/15"), IPNetwork.Parse("224.0.0.0/4"), IPNetwork.Parse("240.0.0.0/4"),
        IPNetwork.Parse("::/128"), IPNetwork.Parse("::1/128"), IPNetwork.Parse("fc00::/7"), IPNetwork.Parse("fe80::/10"), IPNetwork.Parse("ff00::/8"),
    ];

    private readonly HashSet<string> _hosts = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<IPNetwork> _networks = [];

    public WebhookTargetPolicy(IOptions<AlertOptions> options)
    {
        var settings = options.Value;
        foreach (var entry in settings.AllowedWebhookTargets)
        {
            if (NetworkRange.TryParse(entry.Trim(), out var network))
            {
                _networks.Add(network);
            }
            else
            {
                _hosts.Add(entry.Trim());
            }
        }

        foreach (var url in settings.Webhooks.Concat(settings.Rules.SelectMany(r => r.Webhooks)))
        {
            if (Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri))
            {
                _hosts.Add(uri.IdnHost);
            }
        }
    }

    /// <summary>Whether <paramref name="address"/> is reachable from the internet at large (not loopback, private, link-local, …).</summary>
    public static bool IsPublic(IPAddress address)
    {
        var normal = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
        return !NonPublic.Any(network => network.Contains(normal));
    }

    /// <summary>Refuses, naming the field, a rule's webhook whose URL itself names a loopback or private target that is not allowed.</summary>
    public void CheckRuleWebhooks(IReadOnlyList<string>? urls)
    {
        for (var i = 0; i < (urls?.Count ?? 0); i++)
        {
            if (!Uri.TryCreate(urls![i].Trim(), UriKind.Absolute, out var uri) || _hosts.Contains(uri.IdnHost))
            {
                continue;
            }

            var host = uri.IdnHost;
            var localName = host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase);
            if (localName || (IPAddress.TryParse(host, out var address) && !IsAllowed(host, address)))
            {
                throw KilnException.Invalid($"webhooks[{i}]", $"points at {host}, a loopback or private address; an administrator can allow it in Kiln:Monitoring:Alerts:AllowedWebhookTargets.");
            }
        }
    }

    /// <summary>Whether a webhook to <paramref name="host"/> may connect to <paramref name="address"/>.</summary>
    public bool IsAllowed(string host, IPAddress address)
    {
        var normal = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
        return IsPublic(normal) || _hosts.Contains(host) || _networks.Any(network => network.Contains(normal));
    }

    /// <summary>
    /// The webhook client's connect step: resolves the host, keeps the addresses it may use, and connects to the first
    /// that answers. Refused targets fail the call like an unreachable host would, and are logged by the sender.
    /// </summary>
    public ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken) =>
        ConnectAsync(context.DnsEndPoint, cancellationToken);

    internal async ValueTask<Stream> ConnectAsync(DnsEndPoint endPoint, CancellationToken cancellationToken)
    {
        var host = endPoint.Host;
        var addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, cancellationToken);
        var allowed = addresses.Where(address => IsAllowed(host, address)).ToArray();
        if (allowed.Length == 0)
        {
            throw new HttpRequestException($"webhook host {host} resolves only to loopback or private addresses ({string.Join(", ", addresses.Take(3))}); allow it in Kiln:Monitoring:Alerts:AllowedWebhookTargets");
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(allowed, endPoint.Port, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
