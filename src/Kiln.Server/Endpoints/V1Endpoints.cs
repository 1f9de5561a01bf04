using Kiln.Core.Security;
using Kiln.Server.Inference;
using Kiln.Server.Security;
using Kiln.Server.Audit;

namespace Kiln.Server.Endpoints;

/// <summary>KServe's v1 protocol: model status and <c>:predict</c>.</summary>
internal static class V1Endpoints
{
    public static IEndpointRouteBuilder MapV1Endpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/models").WithTags("KServe v1");
        group.MapGet("/{name}", ModelStatus).RequireRole(KilnRole.Viewer).ForDeployment();
        group.MapPost("/{name}:predict", (HttpContext c, string name, InferenceHandler h) => h.HandleAsync(c, name, null, InferenceProtocol.V1))
            .RequireRole(KilnRole.Predictor).ForDeployment().NotAudited().WithSummary("Inference (KServe v1)");
        return app;
    }

    private static Task ModelStatus(HttpContext context, string name, InferenceHandler handler)
    {
        using var lease = handler.Lease(name, null);
        return V2Endpoints.WriteJson(context, 200, writer =>
        {
            writer.WriteString("name"u8, name);
            writer.WriteBoolean("ready"u8, true);
        });
    }
}
