using Kiln.Core.Security;

namespace Kiln.Server.Security;

/// <summary>
/// Declares who may call an endpoint: the role policy (<see cref="KilnPolicies"/>) through ASP.NET Core's
/// authorization. An endpoint that declares nothing needs an admin key: secure by default (the fallback policy).
/// </summary>
internal static class RequiredRoleExtensions
{
    public static TBuilder RequireRole<TBuilder>(this TBuilder builder, KilnRole role)
        where TBuilder : IEndpointConventionBuilder =>
        builder.RequireAuthorization(KilnPolicies.For(role));
}

/// <summary>Endpoint metadata: the route value naming the one deployment the endpoint acts on, for keys limited to deployments.</summary>
internal sealed record DeploymentRoute(string Parameter);

/// <summary>Marks endpoints that act on one deployment, so a key limited to some deployments may call them for those.</summary>
internal static class DeploymentRouteExtensions
{
    /// <summary>
    /// The endpoint acts on the deployment named by route value <paramref name="parameter"/>. Endpoints without this mark
    /// are refused to keys limited to deployments: they read or change things beyond those deployments.
    /// </summary>
    public static TBuilder ForDeployment<TBuilder>(this TBuilder builder, string parameter = "name")
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new DeploymentRoute(parameter));
}
