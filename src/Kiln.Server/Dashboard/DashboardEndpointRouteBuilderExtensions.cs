using Microsoft.AspNetCore.Authorization;

namespace Kiln.Server.Dashboard;

internal static class DashboardEndpointRouteBuilderExtensions
{
    /// <summary>The dashboard's pages at <c>/</c>, its stylesheet and script, and sign-out.</summary>
    public static IEndpointRouteBuilder MapKilnDashboard(this IEndpointRouteBuilder app)
    {
        app.MapRazorComponents<App>().AsDashboardPage().ExcludeFromDescription();
        app.MapGet("/dashboard/assets/{file}", (string file, HttpContext context, DashboardAssets assets) => assets.Serve(context, file))
            .ExcludeFromDescription().WithMetadata(new AllowAnonymousAttribute());
        app.MapSignOut();
        app.MapRunArtifactDownload();
        return app;
    }
}
