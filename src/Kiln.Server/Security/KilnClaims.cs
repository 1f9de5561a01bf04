using System.Security.Claims;
using Kiln.Core.Security;

namespace Kiln.Server.Security;

/// <summary>How a caller's key and role are carried on the request's principal.</summary>
internal static class KilnClaims
{
    public const string Role = "kiln:role";
    public const string KeyId = "kiln:key_id";

    /// <summary>The principal standing for <paramref name="key"/>, authenticated by <paramref name="scheme"/>.</summary>
    public static ClaimsPrincipal Principal(ApiKeyInfo key, string scheme) => new(new KilnIdentity(key, scheme));

    /// <summary>The key (or single sign-on caller, shaped like one) behind <paramref name="principal"/>, or null for anyone else.</summary>
    public static ApiKeyInfo? KeyOf(ClaimsPrincipal principal) => (principal.Identity as KilnIdentity)?.Key;

    /// <summary>The role of the caller on <paramref name="principal"/>; viewer when it carries none.</summary>
    public static KilnRole RoleOf(ClaimsPrincipal principal) =>
        KeyOf(principal)?.Role
        ?? (Enum.TryParse<KilnRole>(principal.FindFirstValue(Role), ignoreCase: true, out var role) ? role : KilnRole.Viewer);
}

/// <summary>
/// The identity of a Kiln caller: the claims code reads (name, key id, role) and the <see cref="ApiKeyInfo"/> itself,
/// so authorization reads the role and deployment scope without parsing claims on every request.
/// </summary>
internal sealed class KilnIdentity : ClaimsIdentity
{
    public KilnIdentity(ApiKeyInfo key, string scheme)
        : base([new Claim(ClaimTypes.Name, key.Name), new Claim(KilnClaims.KeyId, key.Id), new Claim(KilnClaims.Role, key.Role.ToString().ToLowerInvariant())], scheme)
    {
        Key = key;
    }

    private KilnIdentity(KilnIdentity other)
        : base(other)
    {
        Key = other.Key;
    }

    public ApiKeyInfo Key { get; }

    public override ClaimsIdentity Clone() => new KilnIdentity(this);
}
