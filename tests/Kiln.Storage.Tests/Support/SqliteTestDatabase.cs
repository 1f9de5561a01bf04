using Microsoft.EntityFrameworkCore;

namespace Kiln.Storage.Tests.Support;

/// <summary>A fresh, migrated SQLite file in the temp folder, deleted on dispose; a context factory for stores.</summary>
public sealed class SqliteTestDatabase : IDbContextFactory<KilnDbContext>, IAsyncDisposable
{
    private readonly string _file = Path.Combine(Path.GetTempPath(), $"kiln-store-{Guid.NewGuid():N}.db");
    private readonly DbContextOptions<KilnDbContext> _options;

    private SqliteTestDatabase() => _options = new DbContextOptionsBuilder<KilnDbContext>().UseSqlite($"Data Source={_file}").Options;

    public static async Task<SqliteTestDatabase> CreateAsync()
    {
        var database = new SqliteTestDatabase();
        await using var db = database.CreateDbContext();
        await db.Database.MigrateAsync();
        return database;
    }

    public KilnDbContext CreateDbContext() => new(_options);

    public ValueTask DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        File.Delete(_file);
        return ValueTask.CompletedTask;
    }
}
