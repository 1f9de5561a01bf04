using Kiln.Server.Configuration;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace Kiln.Server.Hosting;

/// <summary>
/// The URL people and alert receivers reach this server at: <c>Kiln:PublicUrl</c> when set, else the first address
/// the server listens on, with a wildcard host (<c>0.0.0.0</c>, <c>[::]</c>, <c>*</c>, <c>+</c>) replaced by the
/// machine's name, since a receiver cannot follow a link to 0.0.0.0.
/// </summary>
internal sealed class PublicAddress(IOptions<KilnOptions> options, IServer server)
{
    public string Value => (options.Value.PublicUrl ?? Listening() ?? "http://localhost:5080").TrimEnd('/');

    private string? Listening()
    {
        var address = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
        if (address is null)
        {
            return null;
        }

        foreach (var wildcard in new[] { "://0.0.0.0", "://[::]", "://*", "://+" })
        {
            if (address.Contains(wildcard, StringComparison.Ordinal))
            {
                return address.Replace(wildcard, "://" + Environment.MachineName.ToLowerInvariant(), StringComparison.Ordinal);
            }
        }

        return address;
    }
}
