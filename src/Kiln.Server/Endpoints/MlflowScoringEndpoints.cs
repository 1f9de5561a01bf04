using Kiln.Core.Security;
using Kiln.Server.Inference;
using Kiln.Server.Security;
using Kiln.Server.Audit;

namespace Kiln.Server.Endpoints;

/// <summary>MLflow's scoring server protocol, per deployment: <c>/invocations</c> and <c>/ping</c>.</summary>
internal static class MlflowScoringEndpoints
{
    public static IEndpointRouteBuilder MapMlflowScoringEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/deployments/{name}").WithTags("MLflow scoring").ForDeployment();
        group.MapPost("/invocations", (HttpContext c, string name, InferenceHandler h) => h.HandleAsync(c, name, null, InferenceProtocol.Mlflow))
            .RequireRole(KilnRole.Predictor).NotAudited().WithSummary("Inference (MLflow scoring server)");
        group.MapGet("/ping", Ping).RequireRole(KilnRole.Viewer);
        return app;
    }

    private static async Task Ping(HttpContext context, string name, InferenceHandler handler)
    {
        using (handler.Lease(name, null))
        {
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync("\n", context.RequestAborted);
        }
    }
}
