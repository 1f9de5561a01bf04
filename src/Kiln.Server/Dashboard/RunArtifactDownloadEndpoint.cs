using Kiln.Server.Endpoints;

namespace Kiln.Server.Dashboard;

/// <summary>
/// <c>GET /runs/{id}/artifacts/{path}</c>: a run's artifact for a signed-in browser (the session cookie, not a bearer key),
/// streamed by the same handler as <c>/api/runs/{id}/artifacts/{path}</c>.
/// </summary>
internal static class RunArtifactDownloadEndpoint
{
    public static IEndpointRouteBuilder MapRunArtifactDownload(this IEndpointRouteBuilder app)
    {
        app.MapGet("/runs/{id}/artifacts/{**path}", RunEndpoints.DownloadArtifact)
            .AsDashboardPage().ExcludeFromDescription();
        return app;
    }
}
