using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Kiln.Storage.PostgreSql;

/// <summary>The one place that points EF Core at PostgreSQL, with this assembly's migrations.</summary>
public static class PostgresDbContextOptions
{
    /// <summary>Uses PostgreSQL at <paramref name="connectionString"/> with the migrations in Kiln.Storage.PostgreSql.</summary>
    public static DbContextOptionsBuilder UsePostgres(this DbContextOptionsBuilder options, string connectionString)
    {
        options.UseNpgsql(connectionString, npgsql => npgsql.MigrationsAssembly(MigrationsAssembly));
        return options;
    }

    /// <summary>Uses PostgreSQL through <paramref name="dataSource"/> (shared with the monitoring store) with the migrations in Kiln.Storage.PostgreSql.</summary>
    public static DbContextOptionsBuilder UsePostgres(this DbContextOptionsBuilder options, NpgsqlDataSource dataSource)
    {
        options.UseNpgsql(dataSource, npgsql => npgsql.MigrationsAssembly(MigrationsAssembly));
        return options;
    }

    private static string MigrationsAssembly => typeof(PostgresDbContextOptions).Assembly.GetName().Name!;
}
