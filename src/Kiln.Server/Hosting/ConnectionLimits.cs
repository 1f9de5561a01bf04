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

    /// <summary>Descriptors always kept back for files, database connections, model files and threads' event handles.</summary>
    private const int MinimumReserve = 256;

    public static void Apply(KestrelServerLimits limits, ServingOptions serving, long? openFileLimit, int? openNow = null)
    {
        var connections = serving.MaxConnections ?? DefaultFor(openFileLimit, openNow);
        limits.MaxConcurrentConnections = connections;

        // Upgraded (WebSocket) connections are counted apart from the others, so the dashboard's circuits
        // get their own, smaller share of the descriptor budget.
        limits.MaxConcurrentUpgradedConnections = Math.Max(16, connections / 8);
        limits.MaxRequestBodySize = serving.MaxRequestBodyBytes;
        limits.RequestHeadersTimeout = serving.RequestHeadersTimeout;
        limits.KeepAliveTimeout = serving.KeepAliveTimeout;
    }

    /// <summary>
    /// The descriptors still free when the server starts, less a reserve (a third of them, at least 256), go to
    /// connections: eight ninths to ordinary ones, the rest to upgraded ones. A process already holds a few hundred
    /// descriptors by then (runtime, database, models), so a share of the whole limit would leave it nothing spare.
    /// </summary>
    internal static int DefaultFor(long? openFileLimit, int? openNow = null)
    {
        if (openFileLimit is not { } limit)
        {
            return DefaultConnections;
        }

        var free = Math.Max(0, limit - (openNow ?? 0));
        var budget = free - Math.Max(MinimumReserve, free / 3);
        return (int)Math.Clamp(budget * 8 / 9, 16, 100_000);
    }
}
