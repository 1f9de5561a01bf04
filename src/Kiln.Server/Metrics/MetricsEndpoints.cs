using Kiln.Core.Security;
using Kiln.Monitoring.Metrics;
using Kiln.Server.Configuration;
using Kiln.Server.Security;
using Microsoft.Extensions.Options;

namespace Kiln.Server.Metrics;

/// <summary><c>GET /metrics</c>: every metric in the Prometheus text format, for a viewer key (or anyone, if configured).</summary>
internal static class MetricsEndpoints
{
    public static IEndpointRouteBuilder MapMetricsEndpoints(this IEndpointRouteBuilder app)
    {
        var endpoint = app.MapGet("/metrics", Scrape)
            .WithTags("Monitoring")
            .WithSummary("Prometheus metrics (text exposition format 0.0.4)");
        if (app.ServiceProvider.GetRequiredService<IOptions<KilnOptions>>().Value.Metrics.Anonymous)
        {
            endpoint.AllowAnonymous();
        }
        else
        {
            endpoint.RequireRole(KilnRole.Viewer);
        }

        return app;
    }

    private static Task Scrape(HttpContext context, MetricsRegistry registry)
    {
        var text = registry.Scrape();
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = PrometheusTextWriter.ContentType;
        response.Headers.CacheControl = "no-store";
        return response.WriteAsync(text, context.RequestAborted);
    }
}
