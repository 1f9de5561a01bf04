using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Kiln.Server.Mlflow;

/// <summary>MLflow's tracking server REST API 2.0 on Kiln's own tracking and registry: one store, two APIs.</summary>
public static class MlflowTrackingServerExtensions
{
    /// <summary>The prefixes MLflow clients and MLflow's UI call.</summary>
    internal static readonly string[] Prefixes = ["/api/2.0", "/ajax-api/2.0"];

    public static IServiceCollection AddKilnMlflow(this IServiceCollection services)
    {
        services.TryAddSingleton<MlflowRunModelImporter>();
        return services;
    }

    public static IEndpointRouteBuilder MapMlflowEndpoints(this IEndpointRouteBuilder app)
    {
        foreach (var prefix in Prefixes)
        {
            app.MapGroup(prefix + "/mlflow").WithTags("MLflow tracking server").ExcludeFromDescription()
                .MapMlflowExperimentEndpoints()
                .MapMlflowRunEndpoints()
                .MapMlflowArtifactListEndpoint()
                .MapMlflowRegisteredModelEndpoints()
                .MapMlflowModelVersionEndpoints();
            app.MapGroup(prefix + "/mlflow-artifacts").WithTags("MLflow artifacts").ExcludeFromDescription()
                .MapMlflowProxiedArtifactEndpoints();
        }

        return app;
    }
}
