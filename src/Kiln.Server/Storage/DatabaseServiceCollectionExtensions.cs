using Kiln.Core.Monitoring;
using Kiln.Server.Configuration;
using Kiln.Storage;
using Kiln.Storage.Monitoring;
using Kiln.Storage.PostgreSql;
using Kiln.Storage.PostgreSql.Monitoring;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Kiln.Server.Storage;

/// <summary>
/// Points every store at the one database the settings name: the EF Core metadata store and the
/// monitoring store (prediction log, ground truth, sketches, custom metrics) alike. SQLite: two files
/// in the data folder. PostgreSQL: one database, reached through one shared <see cref="NpgsqlDataSource"/>.
/// </summary>
public static class DatabaseServiceCollectionExtensions
{
    public static IServiceCollection AddKilnDatabase(this IServiceCollection services)
    {
        services.TryAddSingleton(provider => DatabaseBackend.From(provider.GetRequiredService<IOptions<KilnOptions>>().Value.Storage));
        services.TryAddSingleton<ReplicaIdentity>();
        services.TryAddSingleton(provider => NpgsqlDataSource.Create(provider.GetRequiredService<DatabaseBackend>().ConnectionString));
        services.AddDbContextFactory<KilnDbContext>((provider, options) =>
        {
            var backend = provider.GetRequiredService<DatabaseBackend>();
            if (backend.IsPostgres)
            {
                options.UsePostgres(provider.GetRequiredService<NpgsqlDataSource>());
            }
            else
            {
                options.UseSqlite(backend.ConnectionString);
            }
        });
        services.TryAddSingleton<DatabaseMigrator>();

        services.TryAddSingleton(provider =>
            new MonitoringDatabase(Path.Combine(Path.GetFullPath(provider.GetRequiredService<IOptions<KilnOptions>>().Value.Storage.DataDir), "monitoring.db")));
        services.TryAddSingleton<IPredictionLogStore>(provider => OnBackend<IPredictionLogStore>(
            provider, data => new PostgresPredictionLog(data), sqlite => new SqlitePredictionLog(sqlite)));
        services.TryAddSingleton<IGroundTruthStore>(provider => OnBackend<IGroundTruthStore>(
            provider, data => new PostgresGroundTruth(data), sqlite => new SqliteGroundTruth(sqlite)));
        services.TryAddSingleton<IQualityDataSource>(provider => (IQualityDataSource)provider.GetRequiredService<IGroundTruthStore>());
        services.TryAddSingleton<ISketchStore>(provider => OnBackend<ISketchStore>(
            provider, data => new PostgresSketchStore(data, provider.GetRequiredService<ReplicaIdentity>().Name), sqlite => new SqliteSketchStore(sqlite)));
        services.TryAddSingleton<ICustomMetricStore>(provider => OnBackend<ICustomMetricStore>(
            provider, data => new PostgresCustomMetricStore(data), sqlite => new SqliteCustomMetricStore(sqlite)));
        return services;
    }

    private static T OnBackend<T>(IServiceProvider provider, Func<NpgsqlDataSource, T> postgres, Func<MonitoringDatabase, T> sqlite) =>
        provider.GetRequiredService<DatabaseBackend>().IsPostgres
            ? postgres(provider.GetRequiredService<NpgsqlDataSource>())
            : sqlite(provider.GetRequiredService<MonitoringDatabase>());
}
