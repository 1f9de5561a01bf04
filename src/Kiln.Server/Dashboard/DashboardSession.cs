using Kiln.Server.Security;
using Microsoft.AspNetCore.DataProtection;

namespace Kiln.Server.Dashboard;

/// <summary>
/// The dashboard's sign-in: the API key a person signed in with, encrypted with the shared Data Protection
/// key ring and kept in an HttpOnly, SameSite=Strict cookie. Every request checks the key again (through the
/// validator's short cache), so a revoked key stops working in the browser as it does on the API.
/// </summary>
internal sealed class DashboardSession(IDataProtectionProvider protection, ApiKeyValidator validator, TimeProvider time)
{
    public const string CookieName = "kiln_session";
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(12);
    private const int MaxCookieLength = 2048;
    private readonly ITimeLimitedDataProtector _protector = protection.CreateProtector("Kiln.Dashboard.Session.v1").ToTimeLimitedDataProtector();

    /// <summary>The caller whose key the request's cookie carries, or null when there is none, it expired, or the key is no longer valid.</summary>
    public async ValueTask<ApiKeyCaller?> AuthenticateAsync(HttpContext context)
    {
        string? cookie = context.Request.Cookies[CookieName];
        if (cookie is not { Length: > 0 and <= MaxCookieLength })
        {
            return null;
        }

        string key;
        try
        {
            key = _protector.Unprotect(cookie, out var expires);
            if (expires < time.GetUtcNow())
            {
                return null;
            }
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            // Tampered with, from another key ring, or expired.
            return null;
        }

        return ForDashboard(await validator.ValidateAsync(key, context.RequestAborted));
    }

    /// <summary>Checks <paramref name="apiKey"/> and, when valid, sets the session cookie.</summary>
    public async ValueTask<ApiKeyCaller?> SignInAsync(HttpContext context, string apiKey)
    {
        var caller = ForDashboard(await validator.ValidateAsync(apiKey, context.RequestAborted));
        if (caller is not null)
        {
            var expires = time.GetUtcNow() + Lifetime;
            context.Response.Cookies.Append(CookieName, _protector.Protect(apiKey, expires), Options(context, expires));
        }

        return caller;
    }

    /// <summary>Keys limited to deployments are for clients of those deployments; the dashboard shows everything, so it refuses them.</summary>
    private static ApiKeyCaller? ForDashboard(ApiKeyCaller? caller) => caller?.Key.Deployments is null ? caller : null;

    public static void SignOut(HttpContext context) =>
        context.Response.Cookies.Delete(CookieName, Options(context, DateTimeOffset.UnixEpoch));

    private static CookieOptions Options(HttpContext context, DateTimeOffset expires) => new()
    {
        HttpOnly = true,
        SameSite = SameSiteMode.Strict,
        Secure = context.Request.IsHttps,
        Path = "/",
        Expires = expires,
        IsEssential = true,
    };
}
