using Kiln.Server.Security;

namespace Kiln.Server.Dashboard;

/// <summary>
/// Marks the dashboard's page endpoints: they authenticate with the session cookie (<see cref="KilnSchemes.Dashboard"/>)
/// instead of a bearer key, send a visitor without one to the sign-in page, and get the dashboard's security headers.
/// </summary>
internal sealed class DashboardEndpointMetadata
{
    public static readonly DashboardEndpointMetadata Instance = new();

    private DashboardEndpointMetadata()
    {
    }
}

internal static class DashboardEndpointExtensions
{
    /// <summary>A dashboard page: any signed-in person may open it (the page gates each action by role).</summary>
    public static TBuilder AsDashboardPage<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(DashboardEndpointMetadata.Instance).RequireAuthorization(KilnPolicies.Dashboard);
}
