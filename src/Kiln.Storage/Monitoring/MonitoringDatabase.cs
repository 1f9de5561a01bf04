using Microsoft.Data.Sqlite;

namespace Kiln.Storage.Monitoring;

/// <summary>
/// The monitoring store: a SQLite file of its own beside the metadata store, so the prediction log's
/// steady batch writes never wait on (or block) registry and tracking writes. Written with plain ADO.NET
/// (prepared statements, one transaction per batch) because EF Core would cost more than the write itself.
/// </summary>
public sealed class MonitoringDatabase
{
    // The log stores one row per request (its rows in one columnar blob) so a 1000-row request costs one insert and
    // one entry per index: (deployment, ts, version, row_count) serves range queries and per-window counts without touching
    // the table, (deployment, request_id) finds a request when its ground truth arrives. A label is a row of its own,
    // holding every column quality reads, so a quality report scans prediction_labels' index alone.
    private const string Schema = """
        PRAGMA journal_mode=WAL;
        CREATE TABLE IF NOT EXISTS prediction_requests (
            id INTEGER PRIMARY KEY,
            ts INTEGER NOT NULL,
            deployment TEXT NOT NULL,
            variant TEXT NOT NULL,
            model TEXT NOT NULL,
            version INTEGER NOT NULL,
            request_id TEXT NOT NULL,
            first_row INTEGER NOT NULL,
            row_count INTEGER NOT NULL,
            latency_ms REAL NOT NULL,
            task INTEGER NOT NULL,
            data BLOB NOT NULL);
        CREATE INDEX IF NOT EXISTS ix_prediction_requests_deployment_ts ON prediction_requests (deployment, ts, version, row_count);
        CREATE INDEX IF NOT EXISTS ix_prediction_requests_request ON prediction_requests (deployment, request_id);
        CREATE TABLE IF NOT EXISTS prediction_labels (
            id INTEGER PRIMARY KEY,
            deployment TEXT NOT NULL,
            ts INTEGER NOT NULL,
            version INTEGER NOT NULL,
            score REAL,
            prediction TEXT,
            positive_label TEXT,
            label TEXT NOT NULL,
            label_num REAL,
            labelled_at INTEGER NOT NULL);
        CREATE INDEX IF NOT EXISTS ix_prediction_labels
            ON prediction_labels (deployment, ts, version, labelled_at, score, label_num, prediction, positive_label, label);
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
            var version = Convert.ToInt64(await schema.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
            if (version < SqlitePredictionLogUpgrade.Version)
            {
                await SqlitePredictionLogUpgrade.RunAsync(connection, version, cancellationToken);
            }
        }

        return connection;
    }

    internal static long ToMs(DateTimeOffset time) => time.ToUnixTimeMilliseconds();

    internal static DateTimeOffset FromMs(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);
}
