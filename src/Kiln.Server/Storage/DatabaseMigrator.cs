using Kiln.Storage;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Kiln.Server.Storage;

/// <summary>What <c>kiln db status</c> shows: where the database is and which migrations it has and lacks.</summary>
public sealed record DatabaseStatus(string Database, IReadOnlyList<string> Applied, IReadOnlyList<string> Pending);

/// <summary>
/// Brings the database's schema up to date, for <c>kiln serve</c> at start and <c>kiln db migrate</c>.
/// On PostgreSQL the migration runs under a session advisory lock, so replicas that start together
/// migrate once: the first applies, the others wait and then find nothing pending.
/// </summary>
public sealed partial class DatabaseMigrator(
    IDbContextFactory<KilnDbContext> contexts,
    DatabaseBackend backend,
    IServiceProvider services,
    ILogger<DatabaseMigrator> logger)
{
    // pg_advisory_lock's key for "Kiln schema migration": any constant that no other application on the server uses.
    private const long MigrationLockKey = 0x4B494C4E_4D494752; // "KILNMIGR"

    /// <summary>Applies every pending migration; returns the ones applied.</summary>
    public async Task<IReadOnlyList<string>> MigrateAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        if (!backend.IsPostgres)
        {
            var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToArray();
            await db.Database.MigrateAsync(cancellationToken);
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
            return pending;
        }

        await using var lockConnection = await services.GetRequiredService<NpgsqlDataSource>().OpenConnectionAsync(cancellationToken);
        await using (var take = new NpgsqlCommand("SELECT pg_advisory_lock(@key)", lockConnection) { Parameters = { new("key", MigrationLockKey) } })
        {
            await take.ExecuteNonQueryAsync(cancellationToken);
        }

        try
        {
            var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToArray();
            if (pending.Length > 0)
            {
                LogMigrating(pending.Length, string.Join(", ", pending));
                await db.Database.MigrateAsync(cancellationToken);
            }

            return pending;
        }
        finally
        {
            await using var release = new NpgsqlCommand("SELECT pg_advisory_unlock(@key)", lockConnection) { Parameters = { new("key", MigrationLockKey) } };
            await release.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

    /// <summary>The migrations the database has and lacks.</summary>
    public async Task<DatabaseStatus> StatusAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var applied = (await db.Database.GetAppliedMigrationsAsync(cancellationToken)).ToArray();
        var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToArray();
        return new DatabaseStatus(backend.Display, applied, pending);
    }

    /// <summary>Throws, saying what to run, when migrations are pending and the server may not apply them itself.</summary>
    public async Task EnsureCurrentAsync(CancellationToken cancellationToken)
    {
        var status = await StatusAsync(cancellationToken);
        if (status.Pending.Count > 0)
        {
            throw new InvalidOperationException(
                $"The database ({status.Database}) lacks {status.Pending.Count} migration(s): {string.Join(", ", status.Pending)}. "
                + "Run `kiln db migrate`, or let the server migrate at start (Kiln:Storage:MigrateOnStart=true, the default).");
        }
    }

    [LoggerMessage(EventId = 20, Level = LogLevel.Information, Message = "Applying {Count} database migration(s): {Migrations}")]
    private partial void LogMigrating(int count, string migrations);
}
