using System.Globalization;
using Kiln.Core.Monitoring;
using Kiln.Storage;
using Kiln.Storage.Monitoring;
using Kiln.Storage.PostgreSql;
using Kiln.Storage.PostgreSql.Monitoring;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Kiln.LogIngest;

/// <summary>Where a run stores its rows, and how the harness counts and sizes them afterwards.</summary>
public interface IBenchDatabase : IAsyncDisposable
{
    IPredictionLogStore Log { get; }

    ISketchStore Sketches { get; }

    /// <summary>The server's settings that bear on write speed, for the result line ("-" when none apply).</summary>
    string Settings { get; }

    /// <summary>Drops the indexes every insert maintains (the labelled-rows index is partial: inserts never enter it).</summary>
    Task DropIndexesAsync();

    /// <summary>The rows in the prediction log.</summary>
    Task<long> CountAsync();

    /// <summary>The prediction log's size on disk, with its indexes.</summary>
    Task<long> SizeBytesAsync();

    /// <summary>CPU seconds the database server's own processes spent for this run; null when the store runs in this process or the server is not local.</summary>
    Task<double?> ServerCpuSecondsAsync();
}

/// <summary>A temp monitoring.db, deleted at the end unless kept.</summary>
public sealed class SqliteBenchDatabase : IBenchDatabase
{
    private readonly string _directory;
    private readonly bool _keep;
    private readonly MonitoringDatabase _database;

    public SqliteBenchDatabase(bool keep)
    {
        _directory = Directory.CreateTempSubdirectory("kiln-log-ingest").FullName;
        _keep = keep;
        _database = new MonitoringDatabase(Path.Combine(_directory, "monitoring.db"));
        Log = new SqlitePredictionLog(_database);
        Sketches = new SqliteSketchStore(_database);
    }

    public IPredictionLogStore Log { get; }

    public ISketchStore Sketches { get; }

    public string Settings => "-";

    public async Task DropIndexesAsync()
    {
        await using var connection = await _database.OpenAsync(CancellationToken.None);
        using var drop = connection.CreateCommand();
        drop.CommandText = "DROP INDEX ix_prediction_requests_deployment_ts; DROP INDEX ix_prediction_requests_request;";
        await drop.ExecuteNonQueryAsync();
    }

    public async Task<long> CountAsync()
    {
        await using var connection = await _database.OpenAsync(CancellationToken.None);
        using var count = connection.CreateCommand();
        count.CommandText = "SELECT ifnull(sum(row_count), 0) FROM prediction_requests";
        return (long)(await count.ExecuteScalarAsync())!;
    }

    public async Task<long> SizeBytesAsync()
    {
        await using (var connection = await _database.OpenAsync(CancellationToken.None))
        {
            using var checkpoint = connection.CreateCommand();
            checkpoint.CommandText = "PRAGMA wal_checkpoint(TRUNCATE)";
            await checkpoint.ExecuteNonQueryAsync();
        }

        return new FileInfo(_database.Path).Length;
    }

    public Task<double?> ServerCpuSecondsAsync() => Task.FromResult<double?>(null);

    public ValueTask DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        if (!_keep)
        {
            Directory.Delete(_directory, recursive: true);
        }

        return ValueTask.CompletedTask;
    }
}

/// <summary>
/// A fresh database on a PostgreSQL server, with Kiln's migrations applied exactly as <c>kiln db migrate</c>
/// applies them; dropped at the end unless kept.
/// </summary>
public sealed class PostgresBenchDatabase : IBenchDatabase
{
    // What decides how fast a COPY commits: durability (fsync, synchronous_commit, full_page_writes) and WAL/checkpoint sizing.
    private static readonly string[] ReportedSettings = ["server_version", "fsync", "synchronous_commit", "full_page_writes", "wal_level", "shared_buffers", "wal_buffers", "max_wal_size", "checkpoint_timeout", "autovacuum"];

    private readonly string _server;
    private readonly string _name;
    private readonly bool _keep;
    private readonly NpgsqlDataSource _dataSource;

    private PostgresBenchDatabase(string server, string name, bool keep, string settings)
    {
        _server = server;
        _name = name;
        _keep = keep;
        ConnectionString = new NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString;
        _dataSource = NpgsqlDataSource.Create(ConnectionString);
        Log = new PostgresPredictionLog(_dataSource);
        Sketches = new PostgresSketchStore(_dataSource, "log-ingest");
        Settings = settings;
    }

    public string ConnectionString { get; }

    public IPredictionLogStore Log { get; }

    public ISketchStore Sketches { get; }

    public string Settings { get; }

    /// <summary>Creates and migrates a database named <paramref name="prefix"/> plus a random suffix on <paramref name="server"/>.</summary>
    public static async Task<PostgresBenchDatabase> CreateAsync(string server, string prefix, bool keep)
    {
        var name = prefix + Guid.NewGuid().ToString("N")[..12];
        string settings;
        await using (var connection = new NpgsqlConnection(server))
        {
            await connection.OpenAsync();
            await using (var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection))
            {
                await create.ExecuteNonQueryAsync();
            }

            settings = await SettingsAsync(connection);
        }

        var database = new PostgresBenchDatabase(server, name, keep, settings);
        await using var db = new KilnDbContext((DbContextOptions<KilnDbContext>)new DbContextOptionsBuilder<KilnDbContext>().UsePostgres(database._dataSource).Options);
        await db.Database.MigrateAsync();
        return database;
    }

    /// <summary>The settings that bear on write speed, as <c>name:value</c> pairs joined by commas.</summary>
    public static async Task<string> SettingsAsync(NpgsqlConnection connection)
    {
        await using var show = new NpgsqlCommand("SELECT name, current_setting(name) FROM pg_settings WHERE name = ANY(@names)", connection);
        show.Parameters.AddWithValue("names", ReportedSettings);
        var values = new Dictionary<string, string>();
        await using (var reader = await show.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                // server_version reads "15.18 (Debian ...)": the first word is enough, and the result line splits on spaces.
                values[reader.GetString(0)] = reader.GetString(1).Split(' ')[0];
            }
        }

        return string.Join(',', ReportedSettings.Where(values.ContainsKey).Select(n => $"{n}:{values[n]}"));
    }

    public async Task DropIndexesAsync()
    {
        await using var drop = _dataSource.CreateCommand("DROP INDEX ix_prediction_requests_deployment_ts; DROP INDEX ix_prediction_requests_request;");
        await drop.ExecuteNonQueryAsync();
    }

    public async Task<long> CountAsync()
    {
        await using var count = _dataSource.CreateCommand("SELECT coalesce(sum(row_count), 0)::bigint FROM prediction_requests");
        return (long)(await count.ExecuteScalarAsync())!;
    }

    public async Task<long> SizeBytesAsync()
    {
        await using var size = _dataSource.CreateCommand("SELECT pg_total_relation_size('prediction_requests')");
        return (long)(await size.ExecuteScalarAsync())!;
    }

    /// <summary>
    /// The user + system CPU time of the server processes connected to this database (the pool keeps the writer's
    /// connections open, so they are still there at the end), read from /proc: the server's cost per stored row,
    /// which a busy machine stretches in wall time but not in CPU time.
    /// </summary>
    public async Task<double?> ServerCpuSecondsAsync()
    {
        await using var backends = _dataSource.CreateCommand("SELECT pid FROM pg_stat_activity WHERE datname = current_database()");
        var pids = new List<int>();
        await using (var reader = await backends.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                pids.Add(reader.GetInt32(0));
            }
        }

        double seconds = 0;
        foreach (var pid in pids)
        {
            var stat = $"/proc/{pid}/stat";
            if (!File.Exists(stat))
            {
                return null; // a server on another machine (or in a container)
            }

            // Fields after the ")" that ends the command name: state is field 3, utime 14 and stime 15, in clock ticks (USER_HZ = 100 on Linux).
            var fields = File.ReadAllText(stat).Split(')')[^1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            seconds += (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
        }

        return seconds;
    }

    public async ValueTask DisposeAsync()
    {
        await _dataSource.DisposeAsync();
        if (_keep)
        {
            Console.Error.WriteLine($"# kept database {_name}: {ConnectionString}");
            return;
        }

        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(_server);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{_name}\" WITH (FORCE)", connection);
        await drop.ExecuteNonQueryAsync();
    }
}
