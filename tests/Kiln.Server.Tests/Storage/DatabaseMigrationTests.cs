using Kiln.Server.Storage;
using Kiln.Server.Tests.Support;
using Kiln.Storage.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Kiln.Server.Tests.Storage;

/// <summary>Migrations on a real PostgreSQL server: concurrent starts migrate once; a server told not to migrate refuses a stale schema.</summary>
public sealed class DatabaseMigrationTests
{
    [PostgresFact]
    public async Task Migrate_ThreeReplicasAtOnce_AllSucceedAndEachMigrationIsAppliedOnce()
    {
        var database = TestBackend.DatabaseFor(Guid.NewGuid().ToString("N"));
        try
        {
            var replicas = Enumerable.Range(0, 3).Select(_ => KilnDatabaseTool.Build(new Dictionary<string, string?> { ["Kiln:Storage:Database"] = database })).ToArray();
            var applied = await Task.WhenAll(replicas.Select(r => r.GetRequiredService<DatabaseMigrator>().MigrateAsync(CancellationToken.None)));

            var status = await replicas[0].GetRequiredService<DatabaseMigrator>().StatusAsync(CancellationToken.None);
            Assert.Empty(status.Pending);
            Assert.Equal(status.Applied.Count, applied.Sum(a => a.Count)); // every migration applied by exactly one replica
            Assert.Single(applied, a => a.Count > 0);
            await using var connection = new NpgsqlConnection(database);
            await connection.OpenAsync();
            await using (var history = new NpgsqlCommand("SELECT COUNT(*), COUNT(DISTINCT \"MigrationId\") FROM \"__EFMigrationsHistory\"", connection))
            await using (var reader = await history.ExecuteReaderAsync())
            {
                await reader.ReadAsync();
                Assert.Equal(status.Applied.Count, reader.GetInt64(0));
                Assert.Equal(reader.GetInt64(0), reader.GetInt64(1));
            }

            Assert.Contains("prediction_requests", (await TablesAsync(connection)).Split(','));
            foreach (var replica in replicas)
            {
                await replica.DisposeAsync();
            }
        }
        finally
        {
            TestBackend.Drop(database);
        }
    }

    [PostgresFact]
    public async Task Start_WithMigrateOnStartOffAndAnEmptyDatabase_RefusesAndNamesTheCommand()
    {
        var database = TestBackend.DatabaseFor(Guid.NewGuid().ToString("N"));
        try
        {
            using var factory = new KilnAppFactory(settings: new Dictionary<string, string?>
            {
                ["Kiln:Storage:Database"] = database,
                ["Kiln:Storage:MigrateOnStart"] = "false",
            });

            var error = Assert.Throws<InvalidOperationException>(() => factory.CreateClient());

            Assert.Contains("kiln db migrate", error.Message, StringComparison.Ordinal);
            Assert.Matches(@"lacks \d+ migration\(s\): \d+_InitialCreate", error.Message);
        }
        finally
        {
            TestBackend.Drop(database);
        }
    }

    [Fact]
    public void Start_WithAMalformedDatabaseSetting_FailsNamingTheSetting()
    {
        using var factory = new KilnAppFactory(settings: new Dictionary<string, string?> { ["Kiln:Storage:Database"] = "mysql://db/kiln" });

        var error = Assert.ThrowsAny<Exception>(() => factory.CreateClient());

        Assert.Contains("Kiln:Storage:Database (KILN_DATABASE, --database)", error.Message, StringComparison.Ordinal);
    }

    private static async Task<string> TablesAsync(NpgsqlConnection connection)
    {
        await using var tables = new NpgsqlCommand("SELECT string_agg(tablename, ',') FROM pg_tables WHERE schemaname = 'public'", connection);
        return (string)(await tables.ExecuteScalarAsync())!;
    }
}
