using Kiln.Core.Security;

namespace Kiln.Server.Security;

/// <summary>Endpoint metadata: the least role a caller's key must have.</summary>
internal sealed record RequiredRole(KilnRole Role);

/// <summary>Declares who may call an endpoint. An endpoint that declares nothing needs an admin key: secure by default.</summary>
internal static class RequiredRoleExtensions
{
    public static TBuilder RequireRole<TBuilder>(this TBuilder builder, KilnRole role)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new RequiredRole(role));
}
