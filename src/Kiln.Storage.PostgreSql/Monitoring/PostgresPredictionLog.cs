using System.Runtime.CompilerServices;
using System.Text;
using Kiln.Core.Monitoring;
using Kiln.Storage.Monitoring;
using Npgsql;
using NpgsqlTypes;

namespace Kiln.Storage.PostgreSql.Monitoring;

/// <summary>The prediction log on PostgreSQL: each batch is one binary COPY (one round trip, one transaction).</summary>
public sealed class PostgresPredictionLog(NpgsqlDataSource dataSource) : IPredictionLogStore
{
    private const string Copy = """
        COPY predictions (ts, deployment, variant, model, version, request_id, "row", latency_ms, prediction, score, positive_label, inputs, outputs)
        FROM STDIN (FORMAT BINARY)
        """;

    public async Task AppendAsync(IReadOnlyList<PredictionRow> rows, CancellationToken cancellationToken)
    {
        if (rows.Count == 0)
        {
            return;
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var buckets = new Dictionary<string, QualityBucketBuilder>(StringComparer.Ordinal);
        await using (var copy = await connection.BeginBinaryImportAsync(Copy, cancellationToken))
        {
            foreach (var r in rows)
            {
                await WriteRowAsync(copy, r, cancellationToken);
                if (!buckets.TryGetValue(r.Deployment, out var builder))
                {
                    buckets[r.Deployment] = builder = new QualityBucketBuilder();
                }

                builder.AddPrediction(UnixMs.From(r.Timestamp), r.ModelVersion);
            }

            await copy.CompleteAsync(cancellationToken);
        }

        await PostgresQualityBuckets.AddPredictionsAsync(connection, transaction, buckets, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    private static async Task WriteRowAsync(NpgsqlBinaryImporter copy, PredictionRow r, CancellationToken cancellationToken)
    {
        {
            await copy.StartRowAsync(cancellationToken);
            await copy.WriteAsync(UnixMs.From(r.Timestamp), NpgsqlDbType.Bigint, cancellationToken);
            await copy.WriteAsync(r.Deployment, NpgsqlDbType.Text, cancellationToken);
            await copy.WriteAsync(r.Variant, NpgsqlDbType.Text, cancellationToken);
            await copy.WriteAsync(r.ModelName, NpgsqlDbType.Text, cancellationToken);
            await copy.WriteAsync(r.ModelVersion, NpgsqlDbType.Integer, cancellationToken);
            await copy.WriteAsync(r.RequestId, NpgsqlDbType.Text, cancellationToken);
            await copy.WriteAsync(r.Row, NpgsqlDbType.Integer, cancellationToken);
            await copy.WriteAsync(r.LatencyMs, NpgsqlDbType.Double, cancellationToken);
            await WriteNullableAsync(copy, r.Prediction, cancellationToken);
            if (r.Score is { } score && double.IsFinite(score))
            {
                await copy.WriteAsync(score, NpgsqlDbType.Double, cancellationToken);
            }
            else
            {
                await copy.WriteNullAsync(cancellationToken);
            }

            await WriteNullableAsync(copy, r.PositiveLabel, cancellationToken);
            await copy.WriteAsync(r.InputsJson, NpgsqlDbType.Text, cancellationToken);
            await copy.WriteAsync(r.OutputsJson, NpgsqlDbType.Text, cancellationToken);
        }
    }

    public async IAsyncEnumerable<PredictionRow> QueryAsync(PredictionQuery query, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var select = connection.CreateCommand();
        var sql = new StringBuilder("""
            SELECT id, ts, deployment, variant, model, version, request_id, "row", latency_ms, prediction, score, positive_label, inputs, outputs, label, labelled_at
            FROM predictions
            """);
        Where(sql, select, query);
        sql.Append(" AND id > @after ORDER BY id");
        select.Parameters.AddWithValue("after", query.AfterId);
        if (query.Limit is { } limit)
        {
            sql.Append(" LIMIT @limit");
            select.Parameters.AddWithValue("limit", limit);
        }

        select.CommandText = sql.ToString();
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            yield return new PredictionRow(
                reader.GetInt64(0),
                UnixMs.To(reader.GetInt64(1)),
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
                reader.IsDBNull(15) ? null : UnixMs.To(reader.GetInt64(15)));
        }
    }

    public async Task<long> CountAsync(PredictionQuery query, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var count = connection.CreateCommand();
        var sql = new StringBuilder("SELECT COUNT(*) FROM predictions");
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
                new NpgsqlBatchCommand("DELETE FROM predictions WHERE ts < @cutoff") { Parameters = { new("cutoff", cutoff) } },
                PostgresQualityBuckets.DeleteCappedRows(maxRows),
                new NpgsqlBatchCommand("DELETE FROM quality_buckets WHERE bucket < @cutoff") { Parameters = { new("cutoff", cutoff) } },
                new NpgsqlBatchCommand("DELETE FROM profile_sketches WHERE bucket < @cutoff") { Parameters = { new("cutoff", cutoff) } },
                new NpgsqlBatchCommand("DELETE FROM custom_metrics WHERE ts < @cutoff") { Parameters = { new("cutoff", cutoff) } },
            },
        };

        // A batch is one implicit transaction. The capped delete reports its rows through a SELECT, not as affected rows;
        // the count returned is of log rows, sketches and custom metrics, as before there were quality buckets.
        long capped = 0;
        await using (var reader = await batch.ExecuteReaderAsync(cancellationToken))
        {
            do
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                    capped += reader.GetInt64(0);
                }
            }
            while (await reader.NextResultAsync(cancellationToken));
        }

        return batch.BatchCommands[0].RecordsAffected + capped + batch.BatchCommands[3].RecordsAffected + batch.BatchCommands[4].RecordsAffected;
    }

    private static async Task WriteNullableAsync(NpgsqlBinaryImporter copy, string? value, CancellationToken cancellationToken)
    {
        if (value is null)
        {
            await copy.WriteNullAsync(cancellationToken);
        }
        else
        {
            await copy.WriteAsync(value, NpgsqlDbType.Text, cancellationToken);
        }
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
