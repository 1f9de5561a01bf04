using System.Security.Claims;
using System.Text.Encodings.Web;
using Kiln.Core.Security;
using Kiln.Server.Configuration;
using Kiln.Server.Errors;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Kiln.Server.Security;

/// <summary>
/// Authenticates <c>Authorization: Bearer &lt;key&gt;</c>. With auth disabled every caller is an
/// admin. Challenges and refusals answer in the error shape of the protocol the path belongs to.
/// </summary>
internal sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    IOptions<KilnOptions> kiln,
    ApiKeyValidator validator)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";

    private static readonly ClaimsPrincipal Anonymous = KilnClaims.Principal("anonymous", "anonymous (auth disabled)", KilnRole.Admin, SchemeName);

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!kiln.Value.Auth.Enabled)
        {
            return AuthenticateResult.Success(new AuthenticationTicket(Anonymous, SchemeName));
        }

        string? header = Request.Headers.Authorization;
        if (string.IsNullOrEmpty(header))
        {
            return AuthenticateResult.NoResult();
        }

        const string bearer = "Bearer ";
        if (!header.StartsWith(bearer, StringComparison.OrdinalIgnoreCase) || header.Length > 512)
        {
            return AuthenticateResult.Fail("The Authorization header must be 'Bearer <api key>'.");
        }

        var key = await validator.ValidateAsync(header[bearer.Length..].Trim(), Context.RequestAborted);
        if (key is null)
        {
            return AuthenticateResult.Fail("The API key is not valid or was revoked.");
        }

        return AuthenticateResult.Success(new AuthenticationTicket(KilnClaims.Principal(key.Id, key.Name, key.Role, SchemeName), SchemeName));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = "Bearer";
        var result = Context.Features.Get<IAuthenticateResultFeature>()?.AuthenticateResult;
        var message = result?.Failure?.Message ?? "An API key is required: send 'Authorization: Bearer <api key>'.";
        return ErrorResponses.WriteAsync(Context, StatusCodes.Status401Unauthorized, message, null);
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        ErrorResponses.WriteAsync(Context, StatusCodes.Status403Forbidden, "This API key's role may not do this.", null);
}
