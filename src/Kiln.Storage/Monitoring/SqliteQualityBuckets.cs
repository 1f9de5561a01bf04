using Kiln.Core.Monitoring;
using Microsoft.Data.Sqlite;

namespace Kiln.Storage.Monitoring;

/// <summary>
/// The <c>quality_buckets</c> table on SQLite: per deployment, minute and version, how many predictions were logged
/// and the <see cref="QualitySummary"/> of those labelled. The prediction log adds to the counts and a label upload
/// to the summaries, each in its own write transaction (SQLite has one writer at a time, so nothing interleaves).
/// A bucket marked stale (its rows were deleted by the row cap, or it predates the table) is rebuilt from its requests
/// and labels when a report reads it.
/// </summary>
internal static class SqliteQualityBuckets
{
    /// <summary>The table (a database that predates it gets its buckets from <see cref="SqlitePredictionLogUpgrade"/>).</summary>
    public const string Schema = """
        CREATE TABLE IF NOT EXISTS quality_buckets (
            deployment TEXT NOT NULL,
            bucket INTEGER NOT NULL,
            version INTEGER NOT NULL,
            predictions INTEGER NOT NULL DEFAULT 0,
            summary BLOB,
            stale INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (deployment, bucket, version)) WITHOUT ROWID;
        """;

    /// <summary>Adds the predictions of one appended batch to their buckets' counts.</summary>
    public static async Task AddPredictionsAsync(SqliteConnection connection, SqliteTransaction transaction, IReadOnlyDictionary<string, QualityBucketBuilder> byDeployment, CancellationToken cancellationToken)
    {
        using var upsert = connection.CreateCommand();
        upsert.Transaction = transaction;
        upsert.CommandText = """
            INSERT INTO quality_buckets (deployment, bucket, version, predictions) VALUES ($deployment, $bucket, $version, $predictions)
            ON CONFLICT (deployment, bucket, version) DO UPDATE SET predictions = predictions + excluded.predictions
            """;
        var deployment = upsert.Parameters.Add("$deployment", SqliteType.Text);
        var bucket = upsert.Parameters.Add("$bucket", SqliteType.Integer);
        var version = upsert.Parameters.Add("$version", SqliteType.Integer);
        var predictions = upsert.Parameters.Add("$predictions", SqliteType.Integer);
        foreach (var (name, builder) in byDeployment)
        {
            foreach (var b in builder.Buckets())
            {
                (deployment.Value, bucket.Value, version.Value, predictions.Value) = (name, b.BucketStartMs, b.ModelVersion, b.Predictions);
                await upsert.ExecuteNonQueryAsync(cancellationToken);
            }
        }
    }

    /// <summary>Merges the labels of one upload into their buckets' summaries.</summary>
    public static async Task AddLabelsAsync(SqliteConnection connection, SqliteTransaction transaction, string deployment, QualityBucketBuilder labels, CancellationToken cancellationToken)
    {
        using var select = Command(connection, transaction, "SELECT summary FROM quality_buckets WHERE deployment = $deployment AND bucket = $bucket AND version = $version", deployment);
        using var upsert = Command(connection, transaction, """
            INSERT INTO quality_buckets (deployment, bucket, version, summary) VALUES ($deployment, $bucket, $version, $summary)
            ON CONFLICT (deployment, bucket, version) DO UPDATE SET summary = excluded.summary
            """, deployment);
        var summary = upsert.Parameters.Add("$summary", SqliteType.Blob);
        foreach (var b in labels.Buckets())
        {
            select.Parameters["$bucket"].Value = upsert.Parameters["$bucket"].Value = b.BucketStartMs;
            select.Parameters["$version"].Value = upsert.Parameters["$version"].Value = b.ModelVersion;
            var merged = await select.ExecuteScalarAsync(cancellationToken) is byte[] stored ? QualitySummary.FromBytes(stored) : new QualitySummary();
            merged.Merge(b.Summary);
            summary.Value = merged.ToBytes();
            await upsert.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    /// <summary>Marks stale the buckets of the requests the row cap is about to delete (to run before that delete, with $bound bound).</summary>
    public const string MarkCappedRowsStale = """
        UPDATE quality_buckets SET stale = 1 WHERE (deployment, bucket) IN (
            SELECT DISTINCT deployment, (ts / 60000) * 60000 FROM prediction_requests WHERE id <= $bound AND id + row_count - 1 <= $bound);
        """;

    /// <summary>Drops the buckets wholly older than the (whole-minute) cutoff.</summary>
    public const string DeleteExpired = "DELETE FROM quality_buckets WHERE bucket < $cutoff;";

    /// <summary>The buckets starting in [since, until), after rebuilding the stale ones among them.</summary>
    public static async Task<IReadOnlyList<BucketQuality>> ReadAsync(MonitoringDatabase database, string deployment, long sinceMs, long untilMs, int? modelVersion, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await RebuildStaleAsync(connection, deployment, sinceMs, untilMs, cancellationToken);
        using var select = connection.CreateCommand();
        select.CommandText = $"SELECT {QualityBucketBuilder.BucketColumns} FROM quality_buckets WHERE deployment = $deployment AND bucket >= $since AND bucket < $until"
            + (modelVersion is null ? string.Empty : " AND version = $version") + " ORDER BY bucket, version";
        select.Parameters.AddWithValue("$deployment", deployment);
        select.Parameters.AddWithValue("$since", sinceMs);
        select.Parameters.AddWithValue("$until", untilMs);
        if (modelVersion is { } version)
        {
            select.Parameters.AddWithValue("$version", version);
        }

        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        return await QualityBucketBuilder.ReadBucketsAsync(reader, cancellationToken);
    }

    private static async Task RebuildStaleAsync(SqliteConnection connection, string deployment, long sinceMs, long untilMs, CancellationToken cancellationToken)
    {
        var stale = new List<long>();
        using (var find = connection.CreateCommand())
        {
            find.CommandText = "SELECT DISTINCT bucket FROM quality_buckets WHERE deployment = $deployment AND bucket >= $since AND bucket < $until AND stale = 1 ORDER BY bucket";
            find.Parameters.AddWithValue("$deployment", deployment);
            find.Parameters.AddWithValue("$since", sinceMs);
            find.Parameters.AddWithValue("$until", untilMs);
            await using var reader = await find.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                stale.Add(reader.GetInt64(0));
            }
        }

        foreach (var (from, to) in QualityBucketBuilder.RebuildRanges(stale))
        {
            await RebuildAsync(connection, deployment, from, to, cancellationToken);
        }
    }

    private static async Task RebuildAsync(SqliteConnection connection, string deployment, long fromMs, long toMs, CancellationToken cancellationToken)
    {
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        var builder = new QualityBucketBuilder();
        using (var requests = Command(connection, transaction, "SELECT ts, version, row_count FROM prediction_requests WHERE deployment = $deployment AND ts >= $from AND ts < $to", deployment))
        {
            requests.Parameters.AddWithValue("$from", fromMs);
            requests.Parameters.AddWithValue("$to", toMs);
            await using var reader = await requests.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                builder.AddPredictions(reader.GetInt64(0), reader.GetInt32(1), reader.GetInt32(2));
            }
        }

        using (var labels = Command(connection, transaction, $"""
            SELECT {QualityBucketBuilder.LabelColumns} FROM prediction_labels
            WHERE deployment = $deployment AND ts >= $from AND ts < $to
            """, deployment))
        {
            labels.Parameters.AddWithValue("$from", fromMs);
            labels.Parameters.AddWithValue("$to", toMs);
            await using var reader = await labels.ExecuteReaderAsync(cancellationToken);
            await builder.AddLabelsAsync(reader, cancellationToken);
        }

        using (var delete = Command(connection, transaction, "DELETE FROM quality_buckets WHERE deployment = $deployment AND bucket >= $from AND bucket < $to", deployment))
        {
            delete.Parameters.AddWithValue("$from", fromMs);
            delete.Parameters.AddWithValue("$to", toMs);
            await delete.ExecuteNonQueryAsync(cancellationToken);
        }

        using var insert = Command(connection, transaction, "INSERT INTO quality_buckets (deployment, bucket, version, predictions, summary) VALUES ($deployment, $bucket, $version, $predictions, $summary)", deployment);
        var predictions = insert.Parameters.Add("$predictions", SqliteType.Integer);
        var summary = insert.Parameters.Add("$summary", SqliteType.Blob);
        foreach (var b in builder.Buckets())
        {
            insert.Parameters["$bucket"].Value = b.BucketStartMs;
            insert.Parameters["$version"].Value = b.ModelVersion;
            predictions.Value = b.Predictions;
            summary.Value = b.Summary.Labelled == 0 ? DBNull.Value : b.Summary.ToBytes();
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    private static SqliteCommand Command(SqliteConnection connection, SqliteTransaction transaction, string sql, string deployment)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.Parameters.AddWithValue("$deployment", deployment);
        if (sql.Contains("$bucket", StringComparison.Ordinal))
        {
            command.Parameters.Add("$bucket", SqliteType.Integer);
            command.Parameters.Add("$version", SqliteType.Integer);
        }

        return command;
    }
}
