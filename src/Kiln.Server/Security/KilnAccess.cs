using Kiln.Core.Security;
using Microsoft.AspNetCore.Authorization;

namespace Kiln.Server.Security;

/// <summary>
/// Authorization requirement of every protected API endpoint: the caller's role is at least <see cref="Role"/>, and a
/// caller limited to deployments calls an endpoint that acts on one of them (<see cref="DeploymentRoute"/>).
/// </summary>
internal sealed record KilnAccessRequirement(KilnRole Role) : IAuthorizationRequirement;

/// <summary>
/// Checks <see cref="KilnAccessRequirement"/> against the caller's <see cref="KilnIdentity"/>. A caller without one was
/// not authenticated (authorization then challenges: 401); a refusal names the reason, which the 403 carries.
/// </summary>
internal sealed class KilnAccessHandler : AuthorizationHandler<KilnAccessRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, KilnAccessRequirement requirement)
    {
        if (context.User.Identity is KilnIdentity { Key: var key })
        {
            if (KilnAccess.Refusal(key, requirement.Role, context.Resource as HttpContext) is { } refusal)
            {
                context.Fail(new AuthorizationFailureReason(this, refusal));
            }
            else
            {
                context.Succeed(requirement);
            }
        }

        return Task.CompletedTask;
    }
}

/// <summary>The one rule of who may call what: the caller's role, and the deployments it is limited to.</summary>
internal static class KilnAccess
{
    /// <summary>Why <paramref name="key"/> may not call the request's endpoint, which needs <paramref name="required"/>; null when it may.</summary>
    public static string? Refusal(ApiKeyInfo key, KilnRole required, HttpContext? context)
    {
        if (key.Role < required)
        {
            return $"This API key's role ({Name(key.Role)}) may not do this; it needs {Name(required)} or higher.";
        }

        return key.Deployments is { } deployments && !InScope(context, key)
            ? $"This API key is limited to the deployments {string.Join(", ", deployments)}; it may not call this endpoint."
            : null;
    }

    /// <summary>Whether a caller limited to deployments may call this endpoint: one that acts on one of its deployments.</summary>
    private static bool InScope(HttpContext? context, ApiKeyInfo key) =>
        context?.GetEndpoint()?.Metadata.GetMetadata<DeploymentRoute>() is { } route
        && context.Request.RouteValues.TryGetValue(route.Parameter, out var value)
        && value is string deployment
        && key.Covers(deployment);

    private static string Name(KilnRole role) => role.ToString().ToLowerInvariant();
}

/// <summary>The authorization policies: one per role (<see cref="For"/>), admin for endpoints that declare none, and the dashboard's.</summary>
internal static class KilnPolicies
{
    public const string Dashboard = "kiln:dashboard";

    public static string For(KilnRole role) => role switch
    {
        KilnRole.Viewer => "kiln:viewer",
        KilnRole.Predictor => "kiln:predictor",
        KilnRole.Deployer => "kiln:deployer",
        KilnRole.Admin => "kiln:admin",
        _ => throw new ArgumentOutOfRangeException(nameof(role), role, "No such role."),
    };

    public static void AddKilnPolicies(this AuthorizationOptions options)
    {
        foreach (var role in Enum.GetValues<KilnRole>())
        {
            options.AddPolicy(For(role), policy => policy.AddRequirements(new KilnAccessRequirement(role)));
        }

        // Secure by default: an endpoint that declares neither a role nor anonymous access needs an admin.
        options.FallbackPolicy = options.GetPolicy(For(KilnRole.Admin));
        options.AddPolicy(Dashboard, policy => policy.AddAuthenticationSchemes(KilnSchemes.Dashboard).RequireAuthenticatedUser());
    }
}
