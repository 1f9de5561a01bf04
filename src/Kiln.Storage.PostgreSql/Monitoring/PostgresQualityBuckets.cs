using Kiln.Core.Monitoring;
using Kiln.Storage.Monitoring;
using Npgsql;
using NpgsqlTypes;

namespace Kiln.Storage.PostgreSql.Monitoring;

/// <summary>
/// The <c>quality_buckets</c> table on PostgreSQL: per deployment, minute and version, how many predictions were logged
/// and the <see cref="QualitySummary"/> of those labelled, kept in the transactions that log and label.
/// <para>
/// Concurrency, with replicas writing at once: a log batch adds to its counts with one sorted upsert; a label upload
/// holds an exclusive per-deployment advisory lock (uploads to one deployment take turns, so two never merge into the
/// same summary) and rewrites its summaries. Both hold a shared per-deployment "rebuild" lock from before they touch
/// the buckets until they commit; rebuilding a stale bucket from its rows takes that lock exclusively, so it either
/// sees a writer's rows and its bucket change, or neither.
/// </para>
/// </summary>
internal static class PostgresQualityBuckets
{
    // hashtextextended(deployment, seed): one advisory key per deployment and purpose.
    private const int RebuildLockSeed = 7_001;
    private const int LabelLockSeed = 7_002;

    /// <summary>Adds the predictions of one appended batch to their buckets' counts.</summary>
    public static async Task AddPredictionsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyDictionary<string, QualityBucketBuilder> byDeployment, CancellationToken cancellationToken)
    {
        var deployments = byDeployment.Keys.Order(StringComparer.Ordinal).ToArray();
        var rows = deployments.SelectMany(d => byDeployment[d].Buckets().Select(b => (Deployment: d, Bucket: b))).ToArray();
        await using var batch = new NpgsqlBatch(connection, transaction);
        batch.BatchCommands.Add(new NpgsqlBatchCommand("SELECT pg_advisory_xact_lock_shared(hashtextextended(d, @seed)) FROM unnest(@deployments) AS d")
        {
            Parameters = { new("seed", RebuildLockSeed), new NpgsqlParameter<string[]>("deployments", deployments) },
        });
        batch.BatchCommands.Add(new NpgsqlBatchCommand("""
            INSERT INTO quality_buckets (deployment, bucket, version, predictions)
            SELECT * FROM unnest(@deployment, @bucket, @version, @predictions) ORDER BY 1, 2, 3
            ON CONFLICT (deployment, bucket, version) DO UPDATE SET predictions = quality_buckets.predictions + excluded.predictions
            """)
        {
            Parameters =
            {
                new NpgsqlParameter<string[]>("deployment", rows.Select(r => r.Deployment).ToArray()),
                new NpgsqlParameter<long[]>("bucket", rows.Select(r => r.Bucket.BucketStartMs).ToArray()),
                new NpgsqlParameter<int[]>("version", rows.Select(r => r.Bucket.ModelVersion).ToArray()),
                new NpgsqlParameter<long[]>("predictions", rows.Select(r => r.Bucket.Predictions).ToArray()),
            },
        });
        await batch.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Takes the locks a label upload holds until it commits; call before the labels are joined.</summary>
    public static async Task LockForLabelsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string deployment, CancellationToken cancellationToken)
    {
        await using var take = new NpgsqlCommand(
            "SELECT pg_advisory_xact_lock(hashtextextended(@deployment, @label)), pg_advisory_xact_lock_shared(hashtextextended(@deployment, @rebuild))",
            connection,
            transaction)
        {
            Parameters = { new("deployment", deployment), new("label", LabelLockSeed), new("rebuild", RebuildLockSeed) },
        };
        await take.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Merges the labels of one upload into their buckets' summaries (under <see cref="LockForLabelsAsync"/>).</summary>
    public static async Task AddLabelsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string deployment, QualityBucketBuilder labels, CancellationToken cancellationToken)
    {
        if (labels.IsEmpty)
        {
            return;
        }

        var added = labels.Buckets().ToArray();
        var buckets = added.Select(b => b.BucketStartMs).ToArray();
        var versions = added.Select(b => b.ModelVersion).ToArray();
        var stored = new Dictionary<(long, int), byte[]>();
        await using (var select = new NpgsqlCommand(
            """
            SELECT q.bucket, q.version, q.summary FROM quality_buckets q JOIN unnest(@bucket, @version) AS k(bucket, version)
                ON q.deployment = @deployment AND q.bucket = k.bucket AND q.version = k.version
            WHERE q.summary IS NOT NULL
            """,
            connection,
            transaction))
        {
            select.Parameters.AddWithValue("deployment", deployment);
            select.Parameters.Add(new NpgsqlParameter<long[]>("bucket", buckets));
            select.Parameters.Add(new NpgsqlParameter<int[]>("version", versions));
            await using var reader = await select.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                stored[(reader.GetInt64(0), reader.GetInt32(1))] = (byte[])reader.GetValue(2);
            }
        }

        var summaries = added.Select(b =>
        {
            var merged = stored.TryGetValue((b.BucketStartMs, b.ModelVersion), out var bytes) ? QualitySummary.FromBytes(bytes) : new QualitySummary();
            merged.Merge(b.Summary);
            return merged.ToBytes();
        }).ToArray();
        await using var upsert = new NpgsqlCommand(
            """
            INSERT INTO quality_buckets (deployment, bucket, version, summary)
            SELECT @deployment, k.bucket, k.version, k.summary FROM unnest(@bucket, @version, @summary) AS k(bucket, version, summary) ORDER BY 2, 3
            ON CONFLICT (deployment, bucket, version) DO UPDATE SET summary = excluded.summary
            """,
            connection,
            transaction);
        upsert.Parameters.AddWithValue("deployment", deployment);
        upsert.Parameters.Add(new NpgsqlParameter<long[]>("bucket", buckets));
        upsert.Parameters.Add(new NpgsqlParameter<int[]>("version", versions));
        upsert.Parameters.Add(new NpgsqlParameter("summary", NpgsqlDbType.Array | NpgsqlDbType.Bytea) { Value = summaries });
        await upsert.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// Retention's row cap: deletes the requests wholly among the oldest row ids beyond the newest <paramref name="maxRows"/>
    /// and marks their buckets stale, in one statement; it returns one row, the number of log rows deleted.
    /// </summary>
    public static NpgsqlBatchCommand DeleteCappedRows(long maxRows) => new("""
        WITH bound AS (SELECT next - 1 - @max AS id FROM prediction_log_ids),
        gone AS (
            DELETE FROM prediction_requests r USING bound b WHERE r.id <= b.id AND r.id + r.row_count - 1 <= b.id RETURNING r.deployment, r.ts, r.row_count),
        marked AS (
            UPDATE quality_buckets SET stale = true
            WHERE (deployment, bucket) IN (SELECT DISTINCT deployment, (ts / 60000) * 60000 FROM gone) RETURNING 1)
        SELECT coalesce(sum(row_count), 0)::bigint FROM gone
        """)
    {
        Parameters = { new("max", maxRows) },
    };

    /// <summary>The buckets starting in [since, until), after rebuilding the stale ones among them.</summary>
    public static async Task<IReadOnlyList<BucketQuality>> ReadAsync(NpgsqlDataSource dataSource, string deployment, long sinceMs, long untilMs, int? modelVersion, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await RebuildStaleAsync(connection, deployment, sinceMs, untilMs, cancellationToken);
        await using var select = new NpgsqlCommand(
            $"SELECT {QualityBucketBuilder.BucketColumns} FROM quality_buckets WHERE deployment = @deployment AND bucket >= @since AND bucket < @until"
            + (modelVersion is null ? string.Empty : " AND version = @version") + " ORDER BY bucket, version",
            connection);
        select.Parameters.AddWithValue("deployment", deployment);
        select.Parameters.AddWithValue("since", sinceMs);
        select.Parameters.AddWithValue("until", untilMs);
        if (modelVersion is { } version)
        {
            select.Parameters.AddWithValue("version", version);
        }

        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        return await QualityBucketBuilder.ReadBucketsAsync(reader, cancellationToken);
    }

    private static async Task RebuildStaleAsync(NpgsqlConnection connection, string deployment, long sinceMs, long untilMs, CancellationToken cancellationToken)
    {
        var stale = new List<long>();
        await using (var find = new NpgsqlCommand(
            "SELECT DISTINCT bucket FROM quality_buckets WHERE deployment = @deployment AND bucket >= @since AND bucket < @until AND stale ORDER BY bucket",
            connection))
        {
            find.Parameters.AddWithValue("deployment", deployment);
            find.Parameters.AddWithValue("since", sinceMs);
            find.Parameters.AddWithValue("until", untilMs);
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

    private static async Task RebuildAsync(NpgsqlConnection connection, string deployment, long fromMs, long toMs, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var take = new NpgsqlCommand("SELECT pg_advisory_xact_lock(hashtextextended(@deployment, @rebuild))", connection, transaction))
        {
            take.Parameters.AddWithValue("deployment", deployment);
            take.Parameters.AddWithValue("rebuild", RebuildLockSeed);
            await take.ExecuteNonQueryAsync(cancellationToken);
        }

        var builder = new QualityBucketBuilder();
        await using (var requests = new NpgsqlCommand("SELECT ts, version, row_count FROM prediction_requests WHERE deployment = @deployment AND ts >= @from AND ts < @to", connection, transaction))
        {
            requests.Parameters.AddWithValue("deployment", deployment);
            requests.Parameters.AddWithValue("from", fromMs);
            requests.Parameters.AddWithValue("to", toMs);
            await using var reader = await requests.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                builder.AddPredictions(reader.GetInt64(0), reader.GetInt32(1), reader.GetInt32(2));
            }
        }

        await using (var labels = new NpgsqlCommand(
            $"""
            SELECT {QualityBucketBuilder.LabelColumns} FROM prediction_labels
            WHERE deployment = @deployment AND ts >= @from AND ts < @to
            """,
            connection,
            transaction))
        {
            labels.Parameters.AddWithValue("deployment", deployment);
            labels.Parameters.AddWithValue("from", fromMs);
            labels.Parameters.AddWithValue("to", toMs);
            await using var reader = await labels.ExecuteReaderAsync(cancellationToken);
            await builder.AddLabelsAsync(reader, cancellationToken);
        }

        var built = builder.Buckets().ToArray();
        await using var batch = new NpgsqlBatch(connection, transaction)
        {
            BatchCommands =
            {
                new NpgsqlBatchCommand("DELETE FROM quality_buckets WHERE deployment = @deployment AND bucket >= @from AND bucket < @to")
                {
                    Parameters = { new("deployment", deployment), new("from", fromMs), new("to", toMs) },
                },
                new NpgsqlBatchCommand("""
                    INSERT INTO quality_buckets (deployment, bucket, version, predictions, summary)
                    SELECT @deployment, * FROM unnest(@bucket, @version, @predictions, @summary)
                    """)
                {
                    Parameters =
                    {
                        new("deployment", deployment),
                        new NpgsqlParameter<long[]>("bucket", built.Select(b => b.BucketStartMs).ToArray()),
                        new NpgsqlParameter<int[]>("version", built.Select(b => b.ModelVersion).ToArray()),
                        new NpgsqlParameter<long[]>("predictions", built.Select(b => b.Predictions).ToArray()),
                        new NpgsqlParameter("summary", NpgsqlDbType.Array | NpgsqlDbType.Bytea) { Value = built.Select(b => b.Summary.Labelled == 0 ? null : b.Summary.ToBytes()).ToArray() },
                    },
                },
            },
        };
        await batch.ExecuteNonQueryAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }
}
