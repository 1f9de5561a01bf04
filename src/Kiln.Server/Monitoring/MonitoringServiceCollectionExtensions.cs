using Kiln.Core.Monitoring;
using Kiln.Core.Monitoring.Alerts;
using Kiln.Monitoring.Drift;
using Kiln.Monitoring.PredictionLog;
using Kiln.Server.Configuration;
using Kiln.Storage.Monitoring;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Kiln.Server.Monitoring;

/// <summary>Registers the prediction log, ground truth, custom metrics, live profiles and reports.</summary>
public static class MonitoringServiceCollectionExtensions
{
    public static IServiceCollection AddKilnMonitoring(this IServiceCollection services)
    {
        services.TryAddSingleton(provider =>
            new MonitoringDatabase(Path.Combine(Path.GetFullPath(provider.GetRequiredService<IOptions<KilnOptions>>().Value.Storage.DataDir), "monitoring.db")));
        services.TryAddSingleton<IPredictionLogStore, SqlitePredictionLog>();
        services.TryAddSingleton<SqliteGroundTruth>();
        services.TryAddSingleton<IGroundTruthStore>(provider => provider.GetRequiredService<SqliteGroundTruth>());
        services.TryAddSingleton<IQualityDataSource>(provider => provider.GetRequiredService<SqliteGroundTruth>());
        services.TryAddSingleton<ISketchStore, SqliteSketchStore>();
        services.TryAddSingleton<ICustomMetricStore, SqliteCustomMetricStore>();
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
            provider.GetRequiredService<IOptions<KilnOptions>>().Value.Monitoring.BatchRows));
        services.AddHostedService<PredictionLogService>();
        return services;
    }
}
