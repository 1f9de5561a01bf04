using Kiln.Server.Configuration;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Kiln.Server.Hosting;

/// <summary>
/// Kestrel's limits, from <c>Kiln:Serving</c>: how many connections may be open at once and how long a slow or idle
/// client may hold one. Kestrel leaves connections unlimited, so a flood of idle sockets used to run the process out
/// of file descriptors, after which it crashed or never accepted again.
/// </summary>
internal static class ConnectionLimits
{
    /// <summary>Used when the open-file limit cannot be read (not Linux).</summary>
    private const int DefaultConnections = 10_000;

    public static void Apply(KestrelServerLimits limits, ServingOptions serving, long? openFileLimit)
    {
        var connections = serving.MaxConnections ?? DefaultFor(openFileLimit);
        limits.MaxConcurrentConnections = connections;

        // Upgraded (WebSocket) connections are counted apart from the others, so the dashboard's circuits
        // get their own, smaller share of the descriptor budget.
        limits.MaxConcurrentUpgradedConnections = Math.Max(16, connections / 8);
        limits.MaxRequestBodySize = serving.MaxRequestBodyBytes;
        limits.RequestHeadersTimeout = serving.RequestHeadersTimeout;
        limits.KeepAliveTimeout = serving.KeepAliveTimeout;
    }

    /// <summary>Two thirds of the descriptor budget for ordinary connections, a twelfth for upgraded ones, a quarter kept back.</summary>
    internal static int DefaultFor(long? openFileLimit) =>
        openFileLimit is { } limit ? (int)Math.Clamp(limit * 2 / 3, 16, 100_000) : DefaultConnections;
}
