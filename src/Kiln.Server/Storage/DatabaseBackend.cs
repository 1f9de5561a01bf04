using Kiln.Core;
using Kiln.Server.Configuration;
using Kiln.Storage.PostgreSql;

namespace Kiln.Server.Storage;

/// <summary>Which database every store uses, read from <see cref="StorageOptions.Database"/>.</summary>
public enum DatabaseProvider
{
    /// <summary>The SQLite files in the data folder (the default).</summary>
    Sqlite,

    /// <summary>A PostgreSQL server.</summary>
    PostgreSql,
}

/// <summary>The database setting, resolved: the provider, its connection string, and a form safe to print.</summary>
public sealed record DatabaseBackend(DatabaseProvider Provider, string ConnectionString, string Display)
{
    public bool IsPostgres => Provider == DatabaseProvider.PostgreSql;

    /// <summary>Resolves the setting; throws <see cref="KilnException"/> (invalid) naming what is wrong.</summary>
    public static DatabaseBackend From(StorageOptions storage)
    {
        if (string.IsNullOrWhiteSpace(storage.Database))
        {
            var file = Path.Combine(Path.GetFullPath(storage.DataDir), "kiln.db");
            return new(DatabaseProvider.Sqlite, $"Data Source={file};Default Timeout=30", $"SQLite {file}");
        }

        var setting = storage.Database.Trim();
        if (!PostgresConnectionString.IsPostgres(setting))
        {
            throw KilnException.Invalid("database", "is neither a postgresql:// URI nor an Npgsql connection string (leave it empty for the SQLite files in the data folder).");
        }

        var connectionString = PostgresConnectionString.Parse(setting);
        return new(DatabaseProvider.PostgreSql, connectionString, $"PostgreSQL {PostgresConnectionString.Redact(connectionString)}");
    }
}
