using System.Runtime.CompilerServices;
using System.Text;
using Kiln.Core.Monitoring;
using Microsoft.Data.Sqlite;

namespace Kiln.Storage.Monitoring;

/// <summary>
/// The prediction log on SQLite: one row per request (<see cref="LoggedRequest"/>), inserted by position from UTF-8
/// (<see cref="SqlitePredictionInsert"/>), one transaction per batch. Row ids are dense: a request's rows take the ids
/// from its own, so readers page and the row cap counts by row exactly as when each row was stored alone.
/// </summary>
public sealed class SqlitePredictionLog(MonitoringDatabase database) : IPredictionLogStore
{
    /// <summary>The next free row id: after the newest request's rows (the rowid order makes this one B-tree step).</summary>
    internal const string NextId = "SELECT ifnull((SELECT id + max(row_count, 1) FROM prediction_requests ORDER BY id DESC LIMIT 1), 1)";

    public async Task AppendAsync(IReadOnlyList<LoggedRequest> requests, CancellationToken cancellationToken)
    {
        if (requests.Count == 0)
        {
            return;
        }

        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        long id;
        using (var next = connection.CreateCommand())
        {
            next.Transaction = transaction;
            next.CommandText = NextId;
            id = (long)(await next.ExecuteScalarAsync(cancellationToken))!;
        }

        var buckets = new Dictionary<string, QualityBucketBuilder>(StringComparer.Ordinal);
        using (var insert = new SqlitePredictionInsert(connection))
        {
            foreach (var request in requests)
            {
                insert.Insert(id, request);
                id += Math.Max(1, request.Rows);
                if (!buckets.TryGetValue(request.Deployment, out var builder))
                {
                    buckets[request.Deployment] = builder = new QualityBucketBuilder();
                }

                builder.AddPredictions(MonitoringDatabase.ToMs(request.Timestamp), request.ModelVersion, request.Rows);
            }
        }

        await SqliteQualityBuckets.AddPredictionsAsync(connection, transaction, buckets, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    public async IAsyncEnumerable<PredictionRow> QueryAsync(PredictionQuery query, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);

        // Requests and their labels are both read in id order and merged, so a million-row export is two scans.
        // The request holding row AfterId starts the scan; its rows up to AfterId are skipped below.
        using var requests = connection.CreateCommand();
        var sql = new StringBuilder("SELECT id, ts, deployment, variant, model, version, request_id, first_row, row_count, latency_ms, task, data FROM prediction_requests");
        Where(sql, requests, query);
        sql.Append(" AND id >= ifnull((SELECT max(id) FROM prediction_requests WHERE id <= $after), 0) ORDER BY id");
        requests.Parameters.AddWithValue("$after", query.AfterId);
        requests.CommandText = sql.ToString();

        using var labels = connection.CreateCommand();
        var labelSql = new StringBuilder("SELECT id, label, labelled_at FROM prediction_labels");
        Where(labelSql, labels, query);
        labelSql.Append(" AND id > $after ORDER BY id");
        labels.Parameters.AddWithValue("$after", query.AfterId);
        labels.CommandText = labelSql.ToString();

        var remaining = query.Limit ?? long.MaxValue;
        await using var requestReader = await requests.ExecuteReaderAsync(cancellationToken);
        await using var labelReader = await labels.ExecuteReaderAsync(cancellationToken);
        var merge = new LabelMerge(labelReader);
        while (remaining > 0 && await requestReader.ReadAsync(cancellationToken))
        {
            var request = ReadRequest(requestReader);
            var found = await merge.TakeAsync(request.Id, request.Id + request.Rows, cancellationToken);
            foreach (var row in request.ToRows(found))
            {
                if (row.Id <= query.AfterId)
                {
                    continue;
                }

                yield return row;
                if (--remaining == 0)
                {
                    break;
                }
            }
        }
    }

    public async Task<long> CountAsync(PredictionQuery query, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        using var count = connection.CreateCommand();
        var sql = new StringBuilder("SELECT ifnull(sum(row_count), 0) FROM prediction_requests");
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

        // The cap keeps the newest maxRows row ids: requests wholly at or below the bound go (one that straddles it stays).
        command.CommandText = $"SELECT ({NextId}) - 1 - $max";
        command.Parameters.AddWithValue("$max", maxRows);
        var bound = (long)(await command.ExecuteScalarAsync(cancellationToken))!;

        // The cutoff falls on a whole minute, so no quality bucket is left with part of its rows; the buckets of rows the
        // cap deletes are marked stale first (rebuilt from what is left when a report reads them).
        command.Parameters.AddWithValue("$cutoff", QualityBucketBuilder.BucketOf(MonitoringDatabase.ToMs(olderThan)));
        command.Parameters.AddWithValue("$bound", bound);
        command.CommandText = SqliteQualityBuckets.DeleteExpired + SqliteQualityBuckets.MarkCappedRowsStale;
        await command.ExecuteNonQueryAsync(cancellationToken);

        long deleted = 0;
        command.CommandText = """
            DELETE FROM prediction_requests WHERE ts < $cutoff OR (id <= $bound AND id + row_count - 1 <= $bound) RETURNING row_count
            """;
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                deleted += reader.GetInt64(0);
            }
        }

        // A label outlives neither its request nor the cutoff: every row id below the oldest request left is gone. Labels
        // are not counted: the count is of log rows, sketches and custom metrics.
        command.CommandText = "DELETE FROM prediction_labels WHERE ts < $cutoff OR id < ifnull((SELECT min(id) FROM prediction_requests), 9223372036854775807)";
        await command.ExecuteNonQueryAsync(cancellationToken);
        command.CommandText = """
            DELETE FROM profile_sketches WHERE bucket < $cutoff;
            DELETE FROM custom_metrics WHERE ts < $cutoff;
            """;
        var rest = await command.ExecuteNonQueryAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return deleted + rest;
    }

    internal static LoggedRequest ReadRequest(SqliteDataReader reader) => new(
        reader.GetInt64(0),
        MonitoringDatabase.FromMs(reader.GetInt64(1)),
        reader.GetString(2),
        reader.GetString(3),
        reader.GetString(4),
        reader.GetInt32(5),
        reader.GetString(6),
        reader.GetInt32(7),
        reader.GetInt32(8),
        reader.GetDouble(9),
        (PredictionTask)reader.GetInt32(10),
        (byte[])reader.GetValue(11));

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

    /// <summary>Walks the labels (in id order) beside the requests, handing each request the labels of its rows.</summary>
    private sealed class LabelMerge(SqliteDataReader reader)
    {
        private bool _pending;
        private bool _done;

        public async Task<Dictionary<long, (string, DateTimeOffset)>?> TakeAsync(long from, long to, CancellationToken cancellationToken)
        {
            Dictionary<long, (string, DateTimeOffset)>? found = null;
            while (!_done)
            {
                if (!_pending)
                {
                    if (!await reader.ReadAsync(cancellationToken))
                    {
                        _done = true;
                        break;
                    }

                    _pending = true;
                }

                var id = reader.GetInt64(0);
                if (id >= to)
                {
                    break;
                }

                if (id >= from)
                {
                    (found ??= [])[id] = (reader.GetString(1), MonitoringDatabase.FromMs(reader.GetInt64(2)));
                }

                _pending = false;
            }

            return found;
        }
    }
}
