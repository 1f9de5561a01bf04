using System.Globalization;
using Kiln.Server.Configuration;
using Microsoft.Extensions.Options;

namespace Kiln.Server.Storage;

/// <summary>This process's name among the replicas that share one database: <c>Kiln:Replica</c>, or host name and process id.</summary>
public sealed class ReplicaIdentity(IOptions<KilnOptions> options)
{
    public string Name { get; } = options.Value.Replica
        ?? string.Create(CultureInfo.InvariantCulture, $"{Environment.MachineName}-{Environment.ProcessId}");
}
