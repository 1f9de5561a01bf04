using Kiln.Core.Security;

namespace Kiln.Server.Security;

/// <summary>
/// Kiln's authentication schemes. <see cref="ApiKey"/> is the default: it reads <c>Authorization: Bearer kiln_…</c> and
/// hands a bearer credential shaped like a JWT to <see cref="Oidc"/> (ASP.NET Core's JWT bearer handler) when single
/// sign-on is configured. <see cref="Dashboard"/> reads the dashboard's session cookie.
/// </summary>
internal static class KilnSchemes
{
    public const string ApiKey = "ApiKey";
    public const string Oidc = "Oidc";
    public const string Dashboard = "KilnSession";

    /// <summary>
    /// The scheme for a request's bearer credential when it is a JWT (three dot-separated parts, not a Kiln key);
    /// null keeps it with <see cref="ApiKey"/>. Reads the header without copying it.
    /// </summary>
    public static string? ForBearerToken(HttpContext context)
    {
        var header = context.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var credential = header.AsSpan(7).Trim();
        return !credential.StartsWith(ApiKeySecret.KeyPrefix, StringComparison.Ordinal) && credential.Count('.') == 2 ? Oidc : null;
    }
}
