using System.Security.Claims;
using Kiln.Core.Security;

namespace Kiln.Server.Security;

/// <summary>How a caller's key and role are carried on the request's principal.</summary>
internal static class KilnClaims
{
    public const string Scheme = "ApiKey";
    public const string Role = "kiln:role";
    public const string KeyId = "kiln:key_id";

    public static ClaimsPrincipal Principal(string keyId, string name, KilnRole role) =>
        new(new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, name), new Claim(KeyId, keyId), new Claim(Role, role.ToString().ToLowerInvariant())],
            Scheme));

    /// <summary>The role of the caller on <paramref name="principal"/>; viewer when it carries none.</summary>
    public static KilnRole RoleOf(ClaimsPrincipal principal) =>
        Enum.TryParse<KilnRole>(principal.FindFirstValue(Role), ignoreCase: true, out var role) ? role : KilnRole.Viewer;
}
