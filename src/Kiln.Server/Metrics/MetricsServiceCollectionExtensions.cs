using Kiln.Inference.Serving;
using Kiln.Monitoring.Metrics;
using Kiln.Monitoring.Traffic;
using Kiln.Server.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Kiln.Server.Metrics;

/// <summary>Technical metrics: the registry with process and runtime collectors, the serving metrics, traffic windows, and the middleware that feeds them.</summary>
public static class MetricsServiceCollectionExtensions
{
    public static IServiceCollection AddKilnMetrics(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(provider =>
        {
            var registry = new MetricsRegistry();
            registry.AddCollector(new ProcessMetricsCollector());
            registry.AddCollector(new RuntimeMetricsCollector());
            registry.AddCollector(new BatchingMetricsCollector(provider.GetRequiredService<DeploymentTable>()));
            return registry;
        });
        services.TryAddSingleton(provider => new TrafficWindows(provider.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(provider => new ServingMetrics(provider.GetRequiredService<MetricsRegistry>(), provider.GetRequiredService<TrafficWindows>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IDeploymentObserver, DeploymentMetricsObserver>());
        services.AddSingleton<ConnectionMetrics>();
        services.AddHostedService(provider => provider.GetRequiredService<ConnectionMetrics>());
        return services;
    }

    /// <summary>Measures inference requests. Register it before the exception handler so it sees the status the client gets.</summary>
    public static IApplicationBuilder UseKilnMetrics(this IApplicationBuilder app) =>
        app.UseMiddleware<InferenceMetricsMiddleware>();
}
