using Kiln.Storage.PostgreSql;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Kiln.Storage.Tests.Support;

/// <summary>A fresh, migrated database on the test PostgreSQL server, dropped on dispose; a context factory for stores.</summary>
public sealed class PostgresTestDatabase : IDbContextFactory<KilnDbContext>, IAsyncDisposable
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
        var connectionString = PostgresDatabases.Create();
        var database = new PostgresTestDatabase(connectionString, NpgsqlDataSource.Create(connectionString));
        if (migrate)
        {
            await using var db = database.CreateContext();
            await db.Database.MigrateAsync();
        }

        return database;
    }

    public KilnDbContext CreateDbContext() => CreateContext();

    public KilnDbContext CreateContext() =>
        new((DbContextOptions<KilnDbContext>)new DbContextOptionsBuilder<KilnDbContext>().UsePostgres(DataSource).Options);

    public async ValueTask DisposeAsync()
    {
        await DataSource.DisposeAsync();
        PostgresDatabases.Drop(ConnectionString);
    }
}
