using Kiln.Server.Dashboard;
using Kiln.Server.Errors;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;

namespace Kiln.Server.Security;

/// <summary>
/// Writes authorization's refusals of API calls in the error shape of the protocol the path belongs to
/// (<see cref="ErrorResponses"/>): 401 with <c>WWW-Authenticate: Bearer</c> and why the credential was refused, or 403
/// with the requirement's reason. Dashboard pages keep the framework's handling: their scheme's challenge is the
/// redirect to the sign-in page.
/// </summary>
internal sealed class KilnAuthorizationResultHandler : IAuthorizationMiddlewareResultHandler
{
    private const string Missing = "An API key is required: send 'Authorization: Bearer <api key>'.";
    private const string Refused = "The API key or token is not valid, expired or was revoked.";
    private const string Forbidden = "This API key may not do this.";
    private readonly AuthorizationMiddlewareResultHandler _framework = new();

    public Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (authorizeResult.Succeeded)
        {
            return next(context);
        }

        if (context.GetEndpoint()?.Metadata.GetMetadata<DashboardEndpointMetadata>() is not null)
        {
            return _framework.HandleAsync(next, context, policy, authorizeResult);
        }

        return authorizeResult.Challenged ? ChallengeAsync(context) : ForbidAsync(context, authorizeResult.AuthorizationFailure);
    }

    private static async Task ChallengeAsync(HttpContext context)
    {
        // The handlers keep their result for the request, so this reads the refusal without checking the credential again.
        var result = await context.AuthenticateAsync();
        var message = result.Failure switch
        {
            null => Missing,
            AuthenticationRefusal refusal => refusal.Message,
            _ => Refused,
        };
        context.Response.Headers.WWWAuthenticate = "Bearer";
        await ErrorResponses.WriteAsync(context, StatusCodes.Status401Unauthorized, message, null);
    }

    private static Task ForbidAsync(HttpContext context, AuthorizationFailure? failure) =>
        ErrorResponses.WriteAsync(context, StatusCodes.Status403Forbidden, failure?.FailureReasons.FirstOrDefault()?.Message ?? Forbidden, null);
}
