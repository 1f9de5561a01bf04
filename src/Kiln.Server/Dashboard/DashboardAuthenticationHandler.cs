using System.Text.Encodings.Web;
using Kiln.Server.Configuration;
using Kiln.Server.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Kiln.Server.Dashboard;

/// <summary>
/// The <see cref="KilnSchemes.Dashboard"/> scheme: the signed-in person's key from the session cookie
/// (<see cref="DashboardSession"/>). A visitor without a valid session is challenged by a redirect to the sign-in page,
/// which brings them back afterwards. With auth disabled everyone is an admin, as on the API.
/// </summary>
internal sealed class DashboardAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, DashboardSession session, IOptions<KilnOptions> kiln)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!kiln.Value.Auth.Enabled)
        {
            return AuthDisabled.Result;
        }

        var caller = await session.AuthenticateAsync(Context);
        return caller is null ? AuthenticateResult.NoResult() : AuthenticateResult.Success(new AuthenticationTicket(caller.Principal, KilnSchemes.Dashboard));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var back = Request.Path + Request.QueryString;
        Response.Redirect("/sign-in?returnUrl=" + Uri.EscapeDataString(back));
        return Task.CompletedTask;
    }
}
