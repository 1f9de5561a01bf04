using Microsoft.Data.Sqlite;

namespace Kiln.Storage.Monitoring;

/// <summary>
/// The monitoring store: a SQLite file of its own beside the metadata store, so the prediction log's
/// steady batch writes never wait on (or block) registry and tracking writes. Written with plain ADO.NET
/// (prepared statements, one transaction per batch) because EF Core would cost more than the write itself.
/// </summary>
public sealed class MonitoringDatabase
{
    // Indexes: (deployment, ts, version) serves range queries and per-window counts without touching the table; the
    // partial index holds only labelled rows, with every column quality reads, so a quality report scans it alone — rows
    // enter it when their label arrives, so it costs the prediction log's inserts nothing.
    private const string Schema = """
        PRAGMA journal_mode=WAL;
        CREATE TABLE IF NOT EXISTS predictions (
            id INTEGER PRIMARY KEY,
            ts INTEGER NOT NULL,
            deployment TEXT NOT NULL,
            variant TEXT NOT NULL,
            model TEXT NOT NULL,
            version INTEGER NOT NULL,
            request_id TEXT NOT NULL,
            row INTEGER NOT NULL,
            latency_ms REAL NOT NULL,
            prediction TEXT,
            score REAL,
            positive_label TEXT,
            inputs TEXT NOT NULL,
            outputs TEXT NOT NULL,
            label TEXT,
            label_num REAL,
            labelled_at INTEGER);
        DROP INDEX IF EXISTS ix_predictions_deployment_ts;
        CREATE INDEX IF NOT EXISTS ix_predictions_deployment_ts_version ON predictions (deployment, ts, version);
        CREATE INDEX IF NOT EXISTS ix_predictions_labelled
            ON predictions (deployment, ts, version, labelled_at, score, label_num, prediction, positive_label, label)
            WHERE label IS NOT NULL;
        CREATE INDEX IF NOT EXISTS ix_predictions_request ON predictions (deployment, request_id, row);
        CREATE TABLE IF NOT EXISTS profile_sketches (
            deployment TEXT NOT NULL,
            model TEXT NOT NULL,
            version INTEGER NOT NULL,
            bucket INTEGER NOT NULL,
            rows INTEGER NOT NULL,
            data BLOB NOT NULL,
            PRIMARY KEY (deployment, model, version, bucket));
        CREATE TABLE IF NOT EXISTS custom_metrics (
            id INTEGER PRIMARY KEY,
            ts INTEGER NOT NULL,
            deployment TEXT NOT NULL,
            name TEXT NOT NULL,
            value REAL NOT NULL,
            request_id TEXT,
            row INTEGER);
        CREATE INDEX IF NOT EXISTS ix_custom_metrics ON custom_metrics (deployment, name, ts);
        """;

    private readonly string _connectionString;
    private int _created;

    /// <summary>Opens (and on first use creates) the monitoring database at <paramref name="path"/>.</summary>
    public MonitoringDatabase(string path)
    {
        Path = path;
        _connectionString = new SqliteConnectionStringBuilder { DataSource = path, DefaultTimeout = 30, Pooling = true }.ToString();
    }

    /// <summary>The database file.</summary>
    public string Path { get; }

    /// <summary>An open connection with the schema in place.</summary>
    public async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        using (var pragmas = connection.CreateCommand())
        {
            pragmas.CommandText = "PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=30000;";
            await pragmas.ExecuteNonQueryAsync(cancellationToken);
        }

        if (Interlocked.CompareExchange(ref _created, 1, 0) == 0)
        {
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(Path))!);
            using var schema = connection.CreateCommand();
            schema.CommandText = Schema + SqliteQualityBuckets.Schema;
            await schema.ExecuteNonQueryAsync(cancellationToken);
            schema.CommandText = "PRAGMA user_version";
            if (Convert.ToInt64(await schema.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture) < 1)
            {
                // A database from before quality_buckets: count its log into buckets once, marked stale, so each is
                // rebuilt from its rows when a report first reads it.
                await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
                schema.Transaction = transaction;
                schema.CommandText = SqliteQualityBuckets.Backfill;
                await schema.ExecuteNonQueryAsync(cancellationToken);
                await transaction.CommitAsync(cancellationToken);
            }
        }

        return connection;
    }

    internal static long ToMs(DateTimeOffset time) => time.ToUnixTimeMilliseconds();

    internal static DateTimeOffset FromMs(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);
}
