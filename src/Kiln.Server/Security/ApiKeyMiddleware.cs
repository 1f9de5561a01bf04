using System.Security.Claims;
using Kiln.Core.Security;
using Kiln.Server.Configuration;
using Kiln.Server.Dashboard;
using Kiln.Server.Errors;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;

namespace Kiln.Server.Security;

/// <summary>
/// Authenticates <c>Authorization: Bearer &lt;key&gt;</c> (or a single sign-on token, <see cref="OidcTokens"/>) and enforces the endpoint's
/// <see cref="RequiredRole"/> in one step: 401 without a valid key, 403 when its role is too low,
/// each in the error shape of the protocol the path belongs to. Open endpoints carry
/// <see cref="IAllowAnonymous"/>; dashboard pages (<see cref="DashboardEndpointMetadata"/>) use the session cookie; every other endpoint without a declared role needs an admin.
/// A key limited to deployments may call only endpoints marked <see cref="DeploymentRoute"/> for one of them (403 otherwise).
/// Rate limits (<see cref="RateLimits"/>) apply once the caller is known: by key, or by address for open endpoints and refusals.
/// With auth disabled every caller is an admin. The principal of a key is cached with it, so the
/// serving path allocates nothing here.
/// </summary>
internal sealed class ApiKeyMiddleware(
    RequestDelegate next, IOptions<KilnOptions> options, ApiKeyValidator validator, OidcTokens tokens, DashboardSession session, RateLimits limits)
{
    private const string Bearer = "Bearer ";
    private const int MaxKeyLength = 512;
    private const int MaxHeaderLength = 16 * 1024;
    private static readonly ClaimsPrincipal Anonymous = KilnClaims.Principal("anonymous", "anonymous (auth disabled)", KilnRole.Admin);
    private static readonly RequiredRole AdminByDefault = new(KilnRole.Admin);
    private readonly bool _enabled = options.Value.Auth.Enabled;

    public Task InvokeAsync(HttpContext context)
    {
        var endpoint = context.GetEndpoint();
        if (endpoint is null || endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null)
        {
            return AdmitAnonymousAsync(context);
        }

        if (!_enabled)
        {
            context.User = Anonymous;
            return next(context);
        }

        if (endpoint.Metadata.GetMetadata<DashboardEndpointMetadata>() is not null)
        {
            return AuthenticatePageAsync(context);
        }

        var required = endpoint.Metadata.GetMetadata<RequiredRole>() ?? AdminByDefault;
        return AuthenticateAsync(context, endpoint, required.Role);
    }

    /// <summary>An open endpoint: only the per-address rate limit applies.</summary>
    private async Task AdmitAnonymousAsync(HttpContext context)
    {
        if (await limits.AdmitAsync(context))
        {
            await next(context);
        }
    }

    /// <summary>A dashboard page: any valid key may read (the pages gate each action by role); without one, go sign in.</summary>
    private async Task AuthenticatePageAsync(HttpContext context)
    {
        var caller = await session.AuthenticateAsync(context);
        if (caller is null)
        {
            var back = context.Request.Path + context.Request.QueryString;
            context.Response.Redirect("/sign-in?returnUrl=" + Uri.EscapeDataString(back));
            return;
        }

        context.User = caller.Principal;
        await next(context);
    }

    private async Task AuthenticateAsync(HttpContext context, Endpoint endpoint, KilnRole required)
    {
        string? header = context.Request.Headers.Authorization;
        if (string.IsNullOrEmpty(header))
        {
            await ChallengeAsync(context, "An API key is required: send 'Authorization: Bearer <api key>'.");
            return;
        }

        if (!header.StartsWith(Bearer, StringComparison.OrdinalIgnoreCase) || header.Length > MaxHeaderLength)
        {
            await ChallengeAsync(context, "The Authorization header must be 'Bearer <api key>' (or 'Bearer <token>' from the identity provider).");
            return;
        }

        var credential = header.AsSpan(Bearer.Length).Trim().ToString();
        var caller = tokens.Enabled && OidcTokens.LooksLikeToken(credential)
            ? await tokens.ValidateAsync(credential, context.RequestAborted)
            : credential.Length <= MaxKeyLength ? await validator.ValidateAsync(credential, context.RequestAborted) : null;
        if (caller is null)
        {
            await ChallengeAsync(context, "The API key or token is not valid, expired or was revoked.");
            return;
        }

        if (caller.Key.Role < required)
        {
            context.User = caller.Principal; // who was refused, for the audit log
            await ErrorResponses.WriteAsync(context, StatusCodes.Status403Forbidden,
                $"This API key's role ({Name(caller.Key.Role)}) may not do this; it needs {Name(required)} or higher.", null);
            return;
        }

        if (caller.Key.Deployments is { } deployments && !InScope(context, endpoint, caller.Key))
        {
            context.User = caller.Principal;
            await ErrorResponses.WriteAsync(context, StatusCodes.Status403Forbidden,
                $"This API key is limited to the deployments {string.Join(", ", deployments)}; it may not call this endpoint.", null);
            return;
        }

        context.User = caller.Principal;
        if (await limits.AdmitAsync(context))
        {
            await next(context);
        }
    }

    /// <summary>Whether a key limited to deployments may call this endpoint: one that acts on one of its deployments.</summary>
    private static bool InScope(HttpContext context, Endpoint endpoint, ApiKeyInfo key) =>
        endpoint.Metadata.GetMetadata<DeploymentRoute>() is { } route
        && context.Request.RouteValues.TryGetValue(route.Parameter, out var value)
        && value is string deployment
        && key.Covers(deployment);

    /// <summary>401, unless the caller's address used up its requests: then 429, so a bad-key flood is throttled like any other.</summary>
    private async Task ChallengeAsync(HttpContext context, string message)
    {
        if (!await limits.AdmitAsync(context))
        {
            return;
        }

        context.Response.Headers.WWWAuthenticate = "Bearer";
        await ErrorResponses.WriteAsync(context, StatusCodes.Status401Unauthorized, message, null);
    }

    private static string Name(KilnRole role) => role.ToString().ToLowerInvariant();
}
