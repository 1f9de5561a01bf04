using System.Collections.Concurrent;
using Kiln.Core.Security;
using Kiln.Server.Configuration;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;

namespace Kiln.Server.Security;

/// <summary>
/// The serving path's shortcut through security (<c>Kiln:Auth:KeyFastPath</c>, on by default). ASP.NET Core's
/// authentication and authorization middleware cost single-row inference about a tenth of its throughput
/// (bench/auth/ab.sh), so a request whose <c>Bearer kiln_…</c> key is valid and may call its endpoint is admitted here:
/// the endpoint's own authorization policy, read once per endpoint, must consist of <see cref="KilnAccessRequirement"/>s
/// only, and the key is checked against them by <see cref="KilnAccess"/>, the rule the policies' handler uses. Then the
/// key's rate limits apply and the framework's security middleware is skipped. Everything else (no key, a bad key, a
/// refusal, single sign-on tokens, open endpoints, dashboard pages) goes the framework's way, which writes every refusal.
/// </summary>
internal sealed class ApiKeyFastPath(RequestDelegate next, ApiKeyValidator validator, RateLimits limits, IAuthorizationPolicyProvider policies, IOptions<KilnOptions> options)
{
    private const string KeyBearer = "Bearer " + ApiKeySecret.KeyPrefix;
    private const int MaxKeyLength = 512;

    /// <summary>Set by authorization when it ran for an endpoint; the endpoint middleware refuses endpoints with authorization metadata otherwise.</summary>
    private const string AuthorizationRanKey = "__AuthorizationMiddlewareWithEndpointInvoked";

    private static readonly object Admitted = new();
    private readonly bool _enabled = options.Value.Auth is { Enabled: true, KeyFastPath: true };
    private readonly ConcurrentDictionary<Endpoint, KilnRole?> _roles = new();

    /// <summary>Whether the request was not admitted here, so the framework's security middleware must run.</summary>
    public static bool NotAdmitted(HttpContext context) =>
        !(context.Items.TryGetValue(AuthorizationRanKey, out var value) && ReferenceEquals(value, Admitted));

    public Task InvokeAsync(HttpContext context)
    {
        if (!_enabled || context.GetEndpoint() is not { } endpoint)
        {
            return next(context);
        }

        var header = context.Request.Headers.Authorization.ToString();
        return header.StartsWith(KeyBearer, StringComparison.OrdinalIgnoreCase) && header.Length <= KeyBearer.Length + MaxKeyLength
            ? AdmitAsync(context, endpoint, header)
            : next(context);
    }

    private async Task AdmitAsync(HttpContext context, Endpoint endpoint, string header)
    {
        var required = _roles.TryGetValue(endpoint, out var cached) ? cached : _roles[endpoint] = await RequiredRoleAsync(endpoint);
        // A key seen within the cache's lifetime is answered without allocating; a new one is looked up.
        ApiKeyCaller? caller = null;
        if (required is not null && !validator.TryRemembered(header.AsSpan("Bearer ".Length).Trim(), out caller))
        {
            caller = await validator.ValidateAsync(header.AsSpan("Bearer ".Length).Trim().ToString(), context.RequestAborted);
        }

        if (caller is null || KilnAccess.Refusal(caller.Key, required!.Value, context) is not null)
        {
            await next(context);
            return;
        }

        context.User = caller.Principal;
        context.Items[AuthorizationRanKey] = Admitted;
        if (await limits.AdmitAsync(context, caller.Key))
        {
            await next(context);
        }
    }

    /// <summary>
    /// The role the endpoint's combined authorization policy asks for, when that policy is Kiln's own (only
    /// <see cref="KilnAccessRequirement"/>s, no particular scheme); null for open endpoints and any other policy.
    /// </summary>
    private async Task<KilnRole?> RequiredRoleAsync(Endpoint endpoint)
    {
        if (endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null)
        {
            return null;
        }

        var policy = await AuthorizationPolicy.CombineAsync(
            policies, endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>(), endpoint.Metadata.GetOrderedMetadata<AuthorizationPolicy>())
            ?? await policies.GetFallbackPolicyAsync();
        if (policy is null || policy.AuthenticationSchemes.Count > 0 || policy.Requirements.Count == 0
            || !policy.Requirements.All(r => r is KilnAccessRequirement))
        {
            return null;
        }

        return policy.Requirements.Cast<KilnAccessRequirement>().Max(r => r.Role);
    }
}
