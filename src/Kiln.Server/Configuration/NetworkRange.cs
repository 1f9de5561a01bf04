using System.Net;
using System.Net.Sockets;

namespace Kiln.Server.Configuration;

/// <summary>How settings write a network: one address (<c>10.1.2.3</c>, <c>::1</c>) or a CIDR range (<c>10.0.0.0/8</c>).</summary>
internal static class NetworkRange
{
    public static bool TryParse(string entry, out IPNetwork network)
    {
        if (IPAddress.TryParse(entry, out var address))
        {
            network = new IPNetwork(address, address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128);
            return true;
        }

        return IPNetwork.TryParse(entry, out network);
    }
}
