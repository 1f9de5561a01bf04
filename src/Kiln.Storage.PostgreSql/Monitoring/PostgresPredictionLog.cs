using System.Runtime.CompilerServices;
using System.Text;
using Kiln.Core.Monitoring;
using Kiln.Storage.Monitoring;
using Npgsql;
using NpgsqlTypes;

namespace Kiln.Storage.PostgreSql.Monitoring;

/// <summary>
/// The prediction log on PostgreSQL: one row per request (<see cref="LoggedRequest"/>), each batch one binary COPY in one
/// transaction. Row ids are dense, taken as a block per batch from <c>prediction_log_ids</c> (replicas' batches take
/// turns on that one row only for their commit), so readers page and the row cap counts by row as on SQLite.
/// </summary>
public sealed class PostgresPredictionLog(NpgsqlDataSource dataSource) : IPredictionLogStore
{
    private const string Copy = """
        COPY prediction_requests (id, ts, deployment, variant, model, version, request_id, first_row, row_count, latency_ms, task, data)
        FROM STDIN (FORMAT BINARY)
        """;

    public async Task AppendAsync(IReadOnlyList<LoggedRequest> requests, CancellationToken cancellationToken)
    {
        if (requests.Count == 0)
        {
            return;
        }

        var ids = requests.Sum(r => (long)Math.Max(1, r.Rows));
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        long id;
        await using (var take = new NpgsqlCommand("UPDATE prediction_log_ids SET next = next + @ids RETURNING next - @ids", connection, transaction))
        {
            take.Parameters.AddWithValue("ids", ids);
            id = (long)(await take.ExecuteScalarAsync(cancellationToken))!;
        }

        var buckets = new Dictionary<string, QualityBucketBuilder>(StringComparer.Ordinal);
        await using (var copy = await connection.BeginBinaryImportAsync(Copy, cancellationToken))
        {
            foreach (var request in requests)
            {
                // Synchronous writes into the importer's buffer: each async call costs a state machine per value, and a
                // single-row request is twelve of them; the buffer is flushed (blocking this pool thread briefly) when full.
                Write(copy, id, request);
                id += Math.Max(1, request.Rows);
                if (!buckets.TryGetValue(request.Deployment, out var builder))
                {
                    buckets[request.Deployment] = builder = new QualityBucketBuilder();
                }

                builder.AddPredictions(UnixMs.From(request.Timestamp), request.ModelVersion, request.Rows);
            }

            await copy.CompleteAsync(cancellationToken);
        }

        await PostgresQualityBuckets.AddPredictionsAsync(connection, transaction, buckets, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    private static void Write(NpgsqlBinaryImporter copy, long id, LoggedRequest r)
    {
        copy.StartRow();
        copy.Write(id, NpgsqlDbType.Bigint);
        copy.Write(UnixMs.From(r.Timestamp), NpgsqlDbType.Bigint);
        copy.Write(r.Deployment, NpgsqlDbType.Text);
        copy.Write(r.Variant, NpgsqlDbType.Text);
        copy.Write(r.ModelName, NpgsqlDbType.Text);
        copy.Write(r.ModelVersion, NpgsqlDbType.Integer);
        copy.Write(r.RequestId, NpgsqlDbType.Text);
        copy.Write(r.FirstRow, NpgsqlDbType.Integer);
        copy.Write(r.Rows, NpgsqlDbType.Integer);
        copy.Write(r.LatencyMs, NpgsqlDbType.Double);
        copy.Write((short)r.Task, NpgsqlDbType.Smallint);
        copy.Write(r.Data, NpgsqlDbType.Bytea);
    }

    public async IAsyncEnumerable<PredictionRow> QueryAsync(PredictionQuery query, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // A page of requests, then the labels of their rows: two round trips however many rows the page expands to. An
        // export (no limit) reads requests in pages of its own so a million-row log is never held at once.
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var after = query.AfterId;
        var remaining = query.Limit ?? long.MaxValue;
        while (remaining > 0)
        {
            var page = await RequestsAsync(connection, query, after, (int)Math.Min(remaining, RequestPage), cancellationToken);
            if (page.Count == 0)
            {
                yield break;
            }

            var labels = await LabelsAsync(connection, query.Deployment, after, page[^1].Id + page[^1].Rows, cancellationToken);
            foreach (var request in page)
            {
                foreach (var row in request.ToRows(labels))
                {
                    if (row.Id <= after)
                    {
                        continue;
                    }

                    yield return row;
                    if (--remaining == 0)
                    {
                        yield break;
                    }
                }
            }

            after = Math.Max(after, page[^1].Id + page[^1].Rows - 1);
        }
    }

    private const int RequestPage = 1000;

    private static async Task<List<LoggedRequest>> RequestsAsync(NpgsqlConnection connection, PredictionQuery query, long after, int limit, CancellationToken cancellationToken)
    {
        await using var select = connection.CreateCommand();
        var sql = new StringBuilder("SELECT id, ts, deployment, variant, model, version, request_id, first_row, row_count, latency_ms, task, data FROM prediction_requests");
        Where(sql, select, query);

        // The request holding row `after` starts the page (its earlier rows are skipped by the caller).
        sql.Append(" AND id + row_count - 1 > @after AND id >= coalesce((SELECT max(id) FROM prediction_requests WHERE id <= @after), 0) ORDER BY id LIMIT @limit");
        select.Parameters.AddWithValue("after", after);
        select.Parameters.AddWithValue("limit", limit);
        select.CommandText = sql.ToString();
        var page = new List<LoggedRequest>();
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            page.Add(new LoggedRequest(
                reader.GetInt64(0),
                UnixMs.To(reader.GetInt64(1)),
                reader.GetString(2),
                reader.GetString(3),
                reader.GetString(4),
                reader.GetInt32(5),
                reader.GetString(6),
                reader.GetInt32(7),
                reader.GetInt32(8),
                reader.GetDouble(9),
                (PredictionTask)reader.GetInt16(10),
                (byte[])reader.GetValue(11)));
        }

        return page;
    }

    private static async Task<Dictionary<long, (string, DateTimeOffset)>> LabelsAsync(NpgsqlConnection connection, string deployment, long after, long before, CancellationToken cancellationToken)
    {
        await using var select = new NpgsqlCommand("SELECT id, label, labelled_at FROM prediction_labels WHERE deployment = @deployment AND id > @after AND id < @before", connection);
        select.Parameters.AddWithValue("deployment", deployment);
        select.Parameters.AddWithValue("after", after);
        select.Parameters.AddWithValue("before", before);
        var labels = new Dictionary<long, (string, DateTimeOffset)>();
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            labels[reader.GetInt64(0)] = (reader.GetString(1), UnixMs.To(reader.GetInt64(2)));
        }

        return labels;
    }

    public async Task<long> CountAsync(PredictionQuery query, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var count = connection.CreateCommand();
        var sql = new StringBuilder("SELECT coalesce(sum(row_count), 0)::bigint FROM prediction_requests");
        Where(sql, count, query);
        count.CommandText = sql.ToString();
        return (long)(await count.ExecuteScalarAsync(cancellationToken))!;
    }

    public async Task<long> ApplyRetentionAsync(DateTimeOffset olderThan, long maxRows, CancellationToken cancellationToken)
    {
        // The cutoff falls on a whole minute, so no quality bucket is left with part of its rows; the buckets of rows the
        // cap deletes are marked stale (rebuilt from what is left when a report reads them). Rows go before their buckets,
        // the order a label upload takes them in, so the two never wait on each other in a cycle.
        var cutoff = QualityBucketBuilder.BucketOf(UnixMs.From(olderThan));
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var batch = new NpgsqlBatch(connection)
        {
            BatchCommands =
            {
                new NpgsqlBatchCommand("WITH gone AS (DELETE FROM prediction_requests WHERE ts < @cutoff RETURNING row_count) SELECT coalesce(sum(row_count), 0)::bigint FROM gone")
                {
                    Parameters = { new("cutoff", cutoff) },
                },
                PostgresQualityBuckets.DeleteCappedRows(maxRows),
                new NpgsqlBatchCommand("DELETE FROM prediction_labels WHERE ts < @cutoff OR id < coalesce((SELECT min(id) FROM prediction_requests), 9223372036854775807)")
                {
                    Parameters = { new("cutoff", cutoff) },
                },
                new NpgsqlBatchCommand("DELETE FROM quality_buckets WHERE bucket < @cutoff") { Parameters = { new("cutoff", cutoff) } },
                new NpgsqlBatchCommand("DELETE FROM profile_sketches WHERE bucket < @cutoff") { Parameters = { new("cutoff", cutoff) } },
                new NpgsqlBatchCommand("DELETE FROM custom_metrics WHERE ts < @cutoff") { Parameters = { new("cutoff", cutoff) } },
            },
        };

        // A batch is one implicit transaction. Both log deletes report their rows through a SELECT (a request holds many);
        // the count returned is of log rows, sketches and custom metrics, as before there were quality buckets.
        long deleted = 0;
        await using (var reader = await batch.ExecuteReaderAsync(cancellationToken))
        {
            do
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                    deleted += reader.GetInt64(0);
                }
            }
            while (await reader.NextResultAsync(cancellationToken));
        }

        return deleted + batch.BatchCommands[4].RecordsAffected + batch.BatchCommands[5].RecordsAffected;
    }

    private static void Where(StringBuilder sql, NpgsqlCommand command, PredictionQuery query)
    {
        sql.Append(" WHERE deployment = @deployment AND ts >= @since AND ts < @until");
        command.Parameters.AddWithValue("deployment", query.Deployment);
        command.Parameters.AddWithValue("since", query.Since is { } since ? UnixMs.From(since) : long.MinValue);
        command.Parameters.AddWithValue("until", query.Until is { } until ? UnixMs.From(until) : long.MaxValue);
        if (query.ModelVersion is { } version)
        {
            sql.Append(" AND version = @version");
            command.Parameters.AddWithValue("version", version);
        }
    }
}
