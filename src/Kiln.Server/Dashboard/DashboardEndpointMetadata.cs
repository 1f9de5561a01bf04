namespace Kiln.Server.Dashboard;

/// <summary>
/// Marks the dashboard's page endpoints: <see cref="Security.ApiKeyMiddleware"/> authenticates them with the
/// session cookie instead of a bearer key, and sends a visitor without one to the sign-in page.
/// </summary>
internal sealed class DashboardEndpointMetadata
{
    public static readonly DashboardEndpointMetadata Instance = new();

    private DashboardEndpointMetadata()
    {
    }
}
