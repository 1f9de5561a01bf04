using Kiln.Inference.Serving;
using Kiln.Server.Cluster;

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
        group.MapGet("/live", (HttpContext c, LeaderLease lease) => V2Endpoints.WriteJson(c, 200, w =>
        {
            w.WriteString("status"u8, "live");
            WriteReplica(w, lease);
        }));
        group.MapGet("/ready", Ready);
        return app;
    }

    // Which replica answered, and whether it runs the singleton jobs: behind a load balancer, this tells them apart.
    private static void WriteReplica(System.Text.Json.Utf8JsonWriter writer, LeaderLease lease)
    {
        writer.WriteString("replica"u8, lease.Replica);
        writer.WriteBoolean("singletonJobs"u8, lease.IsHeld);
    }

    private static Task Ready(HttpContext context, DeploymentManager manager, LeaderLease lease)
    {
        var ready = manager.IsReady;
        return V2Endpoints.WriteJson(context, ready ? 200 : 503, writer =>
        {
            writer.WriteString("status"u8, ready ? "ready" : "not ready");
            WriteReplica(writer, lease);
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
