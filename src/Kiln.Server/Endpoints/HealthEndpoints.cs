using Kiln.Inference.Serving;

namespace Kiln.Server.Endpoints;

/// <summary>
/// Liveness (the process answers) and readiness (every deployment is loaded and warm), open to
/// all callers so that load balancers and orchestrators need no key.
/// </summary>
internal static class HealthEndpoints
{
    public static IEndpointRouteBuilder MapHealthEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/health").WithTags("Health").AllowAnonymous();
        group.MapGet("/live", (HttpContext c) => V2Endpoints.WriteJson(c, 200, w => w.WriteString("status"u8, "live")));
        group.MapGet("/ready", Ready);
        return app;
    }

    private static Task Ready(HttpContext context, DeploymentManager manager)
    {
        var ready = manager.IsReady;
        return V2Endpoints.WriteJson(context, ready ? 200 : 503, writer =>
        {
            writer.WriteString("status"u8, ready ? "ready" : "not ready");
            writer.WriteStartArray("deployments"u8);
            foreach (var state in manager.States.OrderBy(s => s.Name, StringComparer.Ordinal))
            {
                writer.WriteStartObject();
                writer.WriteString("name"u8, state.Name);
                writer.WriteString("status"u8, state.Status.ToString().ToLowerInvariant());
                if (state.Error is { } error)
                {
                    writer.WriteString("error"u8, error);
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        });
    }
}
