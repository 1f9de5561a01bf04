using Kiln.Core.Cluster;
using Kiln.Inference.Serving;
using Kiln.Server.Storage;
using Kiln.Storage.PostgreSql.Cluster;
using Kiln.Storage.Stores;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Kiln.Server.Cluster;

/// <summary>Registers what lets several replicas on one database act as one service.</summary>
public static class ClusterServiceCollectionExtensions
{
    public static IServiceCollection AddKilnCluster(this IServiceCollection services)
    {
        services.TryAddSingleton<IClusterSignals>(provider => provider.GetRequiredService<DatabaseBackend>().IsPostgres
            ? ActivatorUtilities.CreateInstance<PostgresClusterSignals>(provider)
            : new SingleProcessSignals());
        services.TryAddSingleton<ILeaseStore, EfLeaseStore>();
        services.TryAddSingleton<LeaderLease>();
        services.AddHostedService(provider => provider.GetRequiredService<LeaderLease>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IDeploymentObserver, DeploymentChangeAnnouncer>());
        services.AddHostedService<ClusterSyncService>();
        services.TryAddSingleton<ITrafficShareStore, EfTrafficShareStore>();
        services.AddHostedService<TrafficExchange>();
        return services;
    }
}
