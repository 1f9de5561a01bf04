using System.Security.Claims;
using System.Text.Encodings.Web;
using Kiln.Core.Security;
using Kiln.Server.Configuration;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Kiln.Server.Security;

/// <summary>
/// The <see cref="KilnSchemes.ApiKey"/> scheme: <c>Authorization: Bearer &lt;api key&gt;</c>, checked by
/// <see cref="ApiKeyValidator"/> (whose caches of valid and refused keys keep the serving path off the database).
/// No header is no result (authorization then challenges); a malformed header or a bad key fails with an
/// <see cref="AuthenticationRefusal"/> whose message the 401 carries. With auth disabled every caller is an admin.
/// </summary>
internal sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, ApiKeyValidator validator, IOptions<KilnOptions> kiln)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    private const string Bearer = "Bearer ";
    private const int MaxKeyLength = 512;
    private const int MaxHeaderLength = 16 * 1024;

    private static readonly AuthenticateResult Malformed = AuthenticateResult.Fail(new AuthenticationRefusal(
        "The Authorization header must be 'Bearer <api key>' (or 'Bearer <token>' from the identity provider)."));

    private static readonly AuthenticateResult Refused = AuthenticateResult.Fail(new AuthenticationRefusal(
        "The API key or token is not valid, expired or was revoked."));

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!kiln.Value.Auth.Enabled)
        {
            return AuthDisabled.Result;
        }

        var header = Request.Headers.Authorization.ToString();
        if (header.Length == 0)
        {
            return AuthenticateResult.NoResult();
        }

        if (!header.StartsWith(Bearer, StringComparison.OrdinalIgnoreCase) || header.Length > MaxHeaderLength)
        {
            return Malformed;
        }

        var credential = header.AsSpan(Bearer.Length).Trim();
        if (credential.Length > MaxKeyLength)
        {
            return Refused;
        }

        var caller = await validator.ValidateAsync(credential.ToString(), Context.RequestAborted);
        return caller is null ? Refused : AuthenticateResult.Success(new AuthenticationTicket(caller.Principal, KilnSchemes.ApiKey));
    }
}

/// <summary>Why a credential was refused, in words fit for the client (the 401's message).</summary>
internal sealed class AuthenticationRefusal(string message) : Exception(message);

/// <summary>The caller when auth is disabled (<c>Kiln:Auth:Enabled=false</c>): an admin named for what it is.</summary>
internal static class AuthDisabled
{
    public static readonly ApiKeyInfo Key = new()
    {
        Id = "anonymous",
        Name = "anonymous (auth disabled)",
        Role = KilnRole.Admin,
        Prefix = "",
        CreatedAt = DateTimeOffset.UnixEpoch,
    };

    public static readonly ClaimsPrincipal Principal = KilnClaims.Principal(Key, KilnSchemes.ApiKey);

    public static AuthenticateResult Result { get; } = AuthenticateResult.Success(new AuthenticationTicket(Principal, KilnSchemes.ApiKey));

    public static bool Is(ClaimsPrincipal principal) => ReferenceEquals(KilnClaims.KeyOf(principal), Key);
}
