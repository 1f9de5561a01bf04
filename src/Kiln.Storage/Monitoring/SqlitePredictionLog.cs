using System.Runtime.CompilerServices;
using System.Text;
using Kiln.Core.Monitoring;
using Microsoft.Data.Sqlite;

namespace Kiln.Storage.Monitoring;

/// <summary>The prediction log on SQLite: one prepared insert bound by position from UTF-8 (<see cref="SqlitePredictionInsert"/>), one transaction per batch.</summary>
public sealed class SqlitePredictionLog(MonitoringDatabase database) : IPredictionLogStore
{
    public async Task AppendAsync(IReadOnlyList<PredictionRow> rows, CancellationToken cancellationToken)
    {
        if (rows.Count == 0)
        {
            return;
        }

        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        var buckets = new Dictionary<string, QualityBucketBuilder>(StringComparer.Ordinal);
        using (var insert = new SqlitePredictionInsert(connection))
        {
            foreach (var r in rows)
            {
                insert.Insert(r);
                if (!buckets.TryGetValue(r.Deployment, out var builder))
                {
                    buckets[r.Deployment] = builder = new QualityBucketBuilder();
                }

                builder.AddPrediction(MonitoringDatabase.ToMs(r.Timestamp), r.ModelVersion);
            }
        }

        await SqliteQualityBuckets.AddPredictionsAsync(connection, transaction, buckets, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    public async IAsyncEnumerable<PredictionRow> QueryAsync(PredictionQuery query, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        using var select = connection.CreateCommand();
        var sql = new StringBuilder("""
            SELECT id, ts, deployment, variant, model, version, request_id, row, latency_ms, prediction, score, positive_label, inputs, outputs, label, labelled_at
            FROM predictions
            """);
        Where(sql, select, query);
        sql.Append(" AND id > $after ORDER BY id");
        select.Parameters.AddWithValue("$after", query.AfterId);
        if (query.Limit is { } limit)
        {
            sql.Append(" LIMIT $limit");
            select.Parameters.AddWithValue("$limit", limit);
        }

        select.CommandText = sql.ToString();
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            yield return new PredictionRow(
                reader.GetInt64(0),
                MonitoringDatabase.FromMs(reader.GetInt64(1)),
                reader.GetString(2),
                reader.GetString(3),
                reader.GetString(4),
                reader.GetInt32(5),
                reader.GetString(6),
                reader.GetInt32(7),
                reader.GetDouble(8),
                reader.IsDBNull(9) ? null : reader.GetString(9),
                reader.IsDBNull(10) ? null : reader.GetDouble(10),
                reader.IsDBNull(11) ? null : reader.GetString(11),
                reader.GetString(12),
                reader.GetString(13),
                reader.IsDBNull(14) ? null : reader.GetString(14),
                reader.IsDBNull(15) ? null : MonitoringDatabase.FromMs(reader.GetInt64(15)));
        }
    }

    public async Task<long> CountAsync(PredictionQuery query, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        using var count = connection.CreateCommand();
        var sql = new StringBuilder("SELECT COUNT(*) FROM predictions");
        Where(sql, count, query);
        count.CommandText = sql.ToString();
        return (long)(await count.ExecuteScalarAsync(cancellationToken))!;
    }

    public async Task<long> ApplyRetentionAsync(DateTimeOffset olderThan, long maxRows, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        using var command = connection.CreateCommand();
        command.Transaction = transaction;

        // The cutoff falls on a whole minute, so no quality bucket is left with part of its rows; the buckets of rows the
        // cap deletes are marked stale first (rebuilt from what is left when a report reads them).
        command.Parameters.AddWithValue("$cutoff", QualityBucketBuilder.BucketOf(MonitoringDatabase.ToMs(olderThan)));
        command.Parameters.AddWithValue("$max", maxRows);
        command.CommandText = SqliteQualityBuckets.DeleteExpired + SqliteQualityBuckets.MarkCappedRowsStale;
        await command.ExecuteNonQueryAsync(cancellationToken);
        command.CommandText = """
            DELETE FROM predictions WHERE ts < $cutoff;
            DELETE FROM predictions WHERE id <= (SELECT id FROM predictions ORDER BY id DESC LIMIT 1 OFFSET $max);
            DELETE FROM profile_sketches WHERE bucket < $cutoff;
            DELETE FROM custom_metrics WHERE ts < $cutoff;
            """;
        var deleted = await command.ExecuteNonQueryAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return deleted;
    }

    private static void Where(StringBuilder sql, SqliteCommand command, PredictionQuery query)
    {
        sql.Append(" WHERE deployment = $deployment AND ts >= $since AND ts < $until");
        command.Parameters.AddWithValue("$deployment", query.Deployment);
        command.Parameters.AddWithValue("$since", query.Since is { } since ? MonitoringDatabase.ToMs(since) : long.MinValue);
        command.Parameters.AddWithValue("$until", query.Until is { } until ? MonitoringDatabase.ToMs(until) : long.MaxValue);
        if (query.ModelVersion is { } version)
        {
            sql.Append(" AND version = $version");
            command.Parameters.AddWithValue("$version", version);
        }
    }
}
