using Kiln.Core.Monitoring;
using Kiln.Core.Monitoring.Alerts;
using Kiln.Monitoring.Drift;
using Kiln.Monitoring.PredictionLog;
using Kiln.Storage.Stores;
using Kiln.Server.Configuration;
using Kiln.Storage.Monitoring;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Kiln.Server.Monitoring;

/// <summary>Registers the prediction log's queue and writer, live profiles and reports (the stores come with <c>AddKilnDatabase</c>).</summary>
public static class MonitoringServiceCollectionExtensions
{
    public static IServiceCollection AddKilnMonitoring(this IServiceCollection services)
    {
        services.TryAddSingleton(provider => new LiveProfiles(
            provider.GetRequiredService<ISketchStore>(), provider.GetRequiredService<IOptions<KilnOptions>>().Value.Monitoring.ProfileBucket));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPredictionObserver, LiveProfiles>(provider => provider.GetRequiredService<LiveProfiles>()));
        services.TryAddSingleton<QualityReports>();
        services.TryAddSingleton<DriftReports>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IAlertSignalSource, MonitoringAlertSignals>());
        services.TryAddSingleton(provider => new PredictionLogQueue(provider.GetRequiredService<IOptions<KilnOptions>>().Value.Monitoring.QueueCapacityRows));
        services.TryAddSingleton(provider => new PredictionLogWriter(
            provider.GetRequiredService<PredictionLogQueue>(),
            provider.GetRequiredService<IPredictionLogStore>(),
            provider.GetServices<IPredictionObserver>(),
            provider.GetRequiredService<ILogger<PredictionLogWriter>>(),
            provider.GetRequiredService<IOptions<KilnOptions>>().Value.Monitoring.BatchRows,
            provider.GetRequiredService<IOptions<KilnOptions>>().Value.Monitoring.BatchLinger));
        services.TryAddSingleton<IPredictionLogJournal, EfPredictionLogJournal>();
        services.TryAddSingleton<PredictionLogCheckpoints>();
        services.AddHostedService<PredictionLogService>();
        return services;
    }
}
