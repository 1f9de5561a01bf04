using Kiln.Storage.PostgreSql;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Kiln.Storage.Tests.Support;

/// <summary>A fresh, migrated database on the test PostgreSQL server, dropped on dispose.</summary>
public sealed class PostgresTestDatabase : IAsyncDisposable
{
    private PostgresTestDatabase(string connectionString, NpgsqlDataSource dataSource)
    {
        ConnectionString = connectionString;
        DataSource = dataSource;
    }

    public string ConnectionString { get; }

    public NpgsqlDataSource DataSource { get; }

    /// <summary>Creates an empty database; <paramref name="migrate"/> applies Kiln's migrations to it.</summary>
    public static async Task<PostgresTestDatabase> CreateAsync(bool migrate = true)
    {
        var server = TestServers.Postgres ?? throw new InvalidOperationException("KILN_TEST_POSTGRES is not set (./test.sh starts a server).");
        var name = "kiln_storage_" + Guid.NewGuid().ToString("N");
        await using (var connection = new NpgsqlConnection(server))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await create.ExecuteNonQueryAsync();
        }

        var connectionString = new NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString;
        var database = new PostgresTestDatabase(connectionString, NpgsqlDataSource.Create(connectionString));
        if (migrate)
        {
            await using var db = database.CreateContext();
            await db.Database.MigrateAsync();
        }

        return database;
    }

    public KilnDbContext CreateContext() =>
        new((DbContextOptions<KilnDbContext>)new DbContextOptionsBuilder<KilnDbContext>().UsePostgres(DataSource).Options);

    public async ValueTask DisposeAsync()
    {
        await DataSource.DisposeAsync();
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(TestServers.Postgres);
        await connection.OpenAsync();
        var name = new NpgsqlConnectionStringBuilder(ConnectionString).Database;
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", connection);
        await drop.ExecuteNonQueryAsync();
    }
}
