using Kiln.Server.Alerts;
using Kiln.Server.Audit;
using Kiln.Server.Batch;
using Kiln.Server.Dashboard;
using Kiln.Server.Endpoints;
using Kiln.Server.Inference;
using Kiln.Server.Metrics;
using Kiln.Server.Mlflow;
using Kiln.Server.Monitoring;
using Kiln.Server.Pipelines;
using Kiln.Server.Rollouts;
using Kiln.Server.Security;
using Scalar.AspNetCore;

namespace Kiln.Server.Hosting;

/// <summary>The middleware and endpoints of a Kiln server, in order.</summary>
public static class KilnEndpointRouteBuilderExtensions
{
    public static WebApplication MapKiln(this WebApplication app)
    {
        app.UseKilnHttps();
        app.UseKilnMetrics();
        app.UseExceptionHandler();
        app.Use(AssignRequestId);
        app.UseRouting();
        app.UseDashboardSecurityHeaders();
        app.UseMiddleware<Audit.AuditMiddleware>();
        app.UseKilnSecurity();
        app.UseAntiforgery();

        app.MapHealthEndpoints();
        app.MapMetricsEndpoints();
        app.MapV2Endpoints();
        app.MapV1Endpoints();
        app.MapMlflowScoringEndpoints();
        app.MapModelEndpoints();
        app.MapDeploymentEndpoints();
        app.MapRolloutEndpoints();
        app.MapAlertEndpoints();
        app.MapPipelineEndpoints();
        app.MapPredictionLogEndpoints();
        app.MapGroundTruthEndpoints();
        app.MapBatchPredictionEndpoints();
        app.MapBatchJobEndpoints();
        app.MapMonitoringReportEndpoints();
        app.MapKeyEndpoints();
        app.MapAuditEndpoints();
        app.MapExperimentEndpoints();
        app.MapRunEndpoints();
        app.MapMlflowEndpoints();

        app.MapOpenApi("/openapi/{documentName}.json").AllowAnonymous();
        app.MapScalarApiReference("/docs", options => options.WithTitle("Kiln API").WithOpenApiRoutePattern("/openapi/{documentName}.json")).AllowAnonymous();
        app.MapKilnDashboard();
        return app;
    }

    /// <summary>Every response carries a request id: the client's <c>Kiln-Request-Id</c> when sane, else a new time-ordered one.</summary>
    private static Task AssignRequestId(HttpContext context, RequestDelegate next)
    {
        string? incoming = context.Request.Headers[InferenceHandler.RequestIdHeader];
        var id = incoming is { Length: > 0 and <= 128 } && incoming.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')
            ? incoming
            : Guid.CreateVersion7().ToString("N");
        context.TraceIdentifier = id;
        context.Response.Headers[InferenceHandler.RequestIdHeader] = id;
        return next(context);
    }
}
