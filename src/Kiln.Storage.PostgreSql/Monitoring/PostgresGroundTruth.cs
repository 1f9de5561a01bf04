using System.Text;
using Kiln.Core.Monitoring;
using Kiln.Storage.Monitoring;
using Npgsql;
using NpgsqlTypes;

namespace Kiln.Storage.PostgreSql.Monitoring;

/// <summary>
/// Ground truth on PostgreSQL, a whole upload in one transaction and three round trips: the logged requests its
/// request ids name (one lookup over an array), then one INSERT of every joined label over unnest()ed arrays (a row's
/// first label wins: a later one conflicts on the row id), then the quality buckets. Labelled rows are read back in
/// the compact form quality needs.
/// </summary>
public sealed class PostgresGroundTruth(NpgsqlDataSource dataSource) : IGroundTruthStore, IQualityDataSource
{
    public async Task<GroundTruthResult> ApplyAsync(string deployment, IReadOnlyList<GroundTruthLabel> labels, DateTimeOffset now, TimeSpan lateAfter, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await PostgresQualityBuckets.LockForLabelsAsync(connection, transaction, deployment, cancellationToken);
        var requests = await FindRequestsAsync(connection, transaction, deployment, labels, cancellationToken);
        var join = new GroundTruthJoin(now, lateAfter);

        // The first label for a (request, row) is the one applied; later ones in the same upload are duplicates.
        var targets = new List<(GroundTruthLabel Label, LabelTarget Target, double? Number)>();
        var first = new HashSet<(string, int)>();
        foreach (var label in labels)
        {
            if (!first.Add((label.RequestId, label.Row)))
            {
                continue;
            }

            var number = GroundTruthJoin.Number(label.Value);
            foreach (var candidate in await join.RequestsAsync(label.RequestId, id => Task.FromResult(requests.GetValueOrDefault(id) ?? [])))
            {
                if (candidate.HasRow(label.Row))
                {
                    targets.Add((label, candidate.Target(label.Row), number));
                }
            }
        }

        var inserted = await InsertAsync(connection, transaction, deployment, targets, join.NowMs, cancellationToken);
        var outcome = new Dictionary<(string, int), (int Joined, bool Late)>();
        foreach (var (label, target, number) in targets)
        {
            var key = (label.RequestId, label.Row);
            var (joined, late) = outcome.GetValueOrDefault(key);
            if (inserted.Contains(target.RowId))
            {
                (joined, late) = (joined + 1, late || join.IsLate(target.TimestampMs));
                join.Joined(target, label.Value, number);
            }

            outcome[key] = (joined, late);
        }

        await PostgresQualityBuckets.AddLabelsAsync(connection, transaction, deployment, join.Buckets, cancellationToken);
        await transaction.CommitAsync(cancellationToken);

        // A key in the outcome names a logged row: its first label joined it or found it labelled; a repeat is a duplicate.
        foreach (var label in labels)
        {
            var key = (label.RequestId, label.Row);
            if (outcome.Remove(key, out var result))
            {
                join.Count(label, result.Joined, known: true, result.Late);
            }
            else
            {
                join.Count(label, 0, known: WasLogged(requests, label), late: false);
            }
        }

        return join.Result(labels.Count);
    }

    private static bool WasLogged(Dictionary<string, List<GroundTruthJoin.Candidate>> requests, GroundTruthLabel label) =>
        requests.TryGetValue(label.RequestId, out var found) && found.Exists(c => c.HasRow(label.Row));

    private static async Task<Dictionary<string, List<GroundTruthJoin.Candidate>>> FindRequestsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string deployment, IReadOnlyList<GroundTruthLabel> labels, CancellationToken cancellationToken)
    {
        await using var select = new NpgsqlCommand(
            "SELECT request_id, id, first_row, row_count, ts, version, data FROM prediction_requests WHERE deployment = @deployment AND request_id = ANY(@ids)",
            connection,
            transaction);
        select.Parameters.AddWithValue("deployment", deployment);
        select.Parameters.Add(new NpgsqlParameter<string[]>("ids", labels.Select(l => l.RequestId).Distinct(StringComparer.Ordinal).ToArray()));
        var found = new Dictionary<string, List<GroundTruthJoin.Candidate>>(StringComparer.Ordinal);
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var requestId = reader.GetString(0);
            if (!found.TryGetValue(requestId, out var list))
            {
                found[requestId] = list = [];
            }

            list.Add(new(reader.GetInt64(1), reader.GetInt32(2), reader.GetInt32(3), reader.GetInt64(4), reader.GetInt32(5), (byte[])reader.GetValue(6)));
        }

        return found;
    }

    private static async Task<HashSet<long>> InsertAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string deployment, List<(GroundTruthLabel Label, LabelTarget Target, double? Number)> targets, long nowMs, CancellationToken cancellationToken)
    {
        var inserted = new HashSet<long>();
        if (targets.Count == 0)
        {
            return inserted;
        }

        await using var insert = new NpgsqlCommand(
            """
            INSERT INTO prediction_labels (id, deployment, ts, version, score, prediction, positive_label, label, label_num, labelled_at)
            SELECT l.id, @deployment, l.ts, l.version, l.score, l.prediction, l.positive_label, l.label, l.num, @now
            FROM unnest(@id, @ts, @version, @score, @prediction, @positive_label, @label, @num) AS l(id, ts, version, score, prediction, positive_label, label, num)
            ON CONFLICT (id) DO NOTHING
            RETURNING id
            """,
            connection,
            transaction);
        insert.Parameters.AddWithValue("deployment", deployment);
        insert.Parameters.AddWithValue("now", nowMs);
        insert.Parameters.Add(new NpgsqlParameter<long[]>("id", targets.Select(t => t.Target.RowId).ToArray()));
        insert.Parameters.Add(new NpgsqlParameter<long[]>("ts", targets.Select(t => t.Target.TimestampMs).ToArray()));
        insert.Parameters.Add(new NpgsqlParameter<int[]>("version", targets.Select(t => t.Target.Version).ToArray()));
        insert.Parameters.Add(new NpgsqlParameter("score", NpgsqlDbType.Array | NpgsqlDbType.Double) { Value = targets.Select(t => t.Target.Score).ToArray() });
        insert.Parameters.Add(new NpgsqlParameter("prediction", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = targets.Select(t => t.Target.Prediction).ToArray() });
        insert.Parameters.Add(new NpgsqlParameter("positive_label", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = targets.Select(t => t.Target.PositiveLabel).ToArray() });
        insert.Parameters.Add(new NpgsqlParameter<string[]>("label", targets.Select(t => t.Label.Value).ToArray()));
        insert.Parameters.Add(new NpgsqlParameter("num", NpgsqlDbType.Array | NpgsqlDbType.Double) { Value = targets.Select(t => t.Number).ToArray() });
        await using var reader = await insert.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            inserted.Add(reader.GetInt64(0));
        }

        return inserted;
    }

    public async Task<PredictionTask> DetectTaskAsync(string deployment, DateTimeOffset since, DateTimeOffset until, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var select = new NpgsqlCommand(
            "SELECT task FROM prediction_requests WHERE deployment = @deployment AND ts >= @since AND ts < @until ORDER BY ts DESC LIMIT 1",
            connection);
        select.Parameters.AddWithValue("deployment", deployment);
        select.Parameters.AddWithValue("since", UnixMs.From(since));
        select.Parameters.AddWithValue("until", UnixMs.From(until));
        return await select.ExecuteScalarAsync(cancellationToken) is short task ? (PredictionTask)task : PredictionTask.Unknown;
    }

    public Task<IReadOnlyList<BucketQuality>> ReadSummariesAsync(string deployment, DateTimeOffset since, DateTimeOffset until, int? modelVersion, CancellationToken cancellationToken) =>
        PostgresQualityBuckets.ReadAsync(dataSource, deployment, UnixMs.From(since), UnixMs.From(until), modelVersion, cancellationToken);

    public async Task<IReadOnlyList<LabelledPrediction>> ReadLabelledAsync(string deployment, DateTimeOffset since, DateTimeOffset until, int? modelVersion, PredictionTask task, int? last, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var select = connection.CreateCommand();
        // At a million rows the client's per-column work costs more than the index-only scan: binary and multiclass
        // read only what their metrics use (binary folds its two flags into one integer), as on SQLite.
        var sql = new StringBuilder(task switch
        {
            PredictionTask.Binary => "SELECT ts, labelled_at, version, score, coalesce(prediction = positive_label, false)::int | (coalesce(label = positive_label, false)::int << 1) FROM prediction_labels",
            PredictionTask.Multiclass => "SELECT ts, labelled_at, version, prediction, label FROM prediction_labels",
            _ => "SELECT ts, labelled_at, version, score, label_num, coalesce(prediction = positive_label, false), coalesce(label = positive_label, false) FROM prediction_labels",
        });
        sql.Append(" WHERE deployment = @deployment AND ts >= @since AND ts < @until");
        select.Parameters.AddWithValue("deployment", deployment);
        select.Parameters.AddWithValue("since", UnixMs.From(since));
        select.Parameters.AddWithValue("until", UnixMs.From(until));
        if (modelVersion is { } version)
        {
            sql.Append(" AND version = @version");
            select.Parameters.AddWithValue("version", version);
        }

        // The last N come newest first through the same index, and are put back in time order below.
        sql.Append(last is null ? " ORDER BY ts" : " ORDER BY ts DESC LIMIT @last");
        if (last is { } n)
        {
            select.Parameters.AddWithValue("last", n);
        }

        select.CommandText = sql.ToString();
        var rows = new List<LabelledPrediction>();
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(task switch
            {
                PredictionTask.Binary => ReadBinary(reader),
                PredictionTask.Multiclass => new LabelledPrediction(
                    reader.GetInt64(0),
                    reader.GetInt64(1),
                    reader.GetInt32(2),
                    double.NaN,
                    double.NaN,
                    false,
                    false,
                    reader.IsDBNull(3) ? null : reader.GetString(3),
                    reader.IsDBNull(4) ? null : reader.GetString(4)),
                _ => new LabelledPrediction(
                    reader.GetInt64(0),
                    reader.GetInt64(1),
                    reader.GetInt32(2),
                    reader.IsDBNull(3) ? double.NaN : reader.GetDouble(3),
                    reader.IsDBNull(4) ? double.NaN : reader.GetDouble(4),
                    reader.GetBoolean(5),
                    reader.GetBoolean(6),
                    null,
                    null),
            });
        }

        if (last is not null)
        {
            rows.Reverse();
        }

        return rows;
    }

    public async Task<IReadOnlyList<PredictionCount>> CountAsync(string deployment, DateTimeOffset since, DateTimeOffset until, TimeSpan bucket, int? modelVersion, CancellationToken cancellationToken)
    {
        // One small aggregate per window rather than one GROUP BY floor(ts / size) over the range: the planner cannot
        // tell that the window follows the (deployment, ts, version) index, so it read the whole table and sorted every
        // row of the range (on disk at 1M rows). Per window, both counts are index-only scans: requests from
        // (deployment, ts, version) INCLUDE (row_count), labels from theirs. A window almost always holds one version
        // (MIN = MAX, cheaper than grouping every row); only a window with several is grouped by version. Windows start
        // at multiples of the size, as on SQLite.
        var sizeMs = Math.Max(1L, (long)bucket.TotalMilliseconds);
        var sinceMs = UnixMs.From(since);
        var first = (Math.DivRem(sinceMs, sizeMs, out var rest) * sizeMs) - (rest < 0 ? sizeMs : 0);
        const string InWindow = "deployment = @deployment AND ts >= greatest(w.start, @since) AND ts < least(w.start + @size, @until)";
        var ofVersion = modelVersion is null ? string.Empty : " AND version = @version";
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var counts = new List<PredictionCount>();
        var mixed = new List<long>();
        await using (var totals = Windows(connection, $"""
            SELECT w.start, t.n, t.lo, t.hi, (SELECT COUNT(*) FROM prediction_labels WHERE {InWindow}{ofVersion})
            FROM generate_series(@first, @until - 1, @size) AS w(start)
            CROSS JOIN LATERAL (SELECT coalesce(sum(row_count), 0)::bigint AS n, MIN(version) AS lo, MAX(version) AS hi FROM prediction_requests WHERE {InWindow}{ofVersion}) t
            WHERE t.n > 0 ORDER BY 1
            """))
        {
            totals.Parameters.AddWithValue("first", first);
            await using var reader = await totals.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var (start, lowest, highest) = (reader.GetInt64(0), reader.GetInt32(2), reader.GetInt32(3));
                if (lowest == highest)
                {
                    counts.Add(new PredictionCount(start, lowest, reader.GetInt64(1), reader.GetInt64(4)));
                }
                else
                {
                    mixed.Add(start);
                }
            }
        }

        if (mixed.Count == 0)
        {
            return counts;
        }

        await using (var grouped = Windows(connection, $"""
            SELECT w.start, t.version, t.n, (SELECT COUNT(*) FROM prediction_labels WHERE {InWindow} AND version = t.version)
            FROM unnest(@starts) AS w(start)
            CROSS JOIN LATERAL (SELECT version, sum(row_count)::bigint AS n FROM prediction_requests WHERE {InWindow} GROUP BY version) t
            """))
        {
            grouped.Parameters.Add(new NpgsqlParameter<long[]>("starts", [.. mixed]));
            await using var reader = await grouped.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                counts.Add(new PredictionCount(reader.GetInt64(0), reader.GetInt32(1), reader.GetInt64(2), reader.GetInt64(3)));
            }
        }

        counts.Sort((a, b) => a.BucketStartMs != b.BucketStartMs ? a.BucketStartMs.CompareTo(b.BucketStartMs) : a.ModelVersion.CompareTo(b.ModelVersion));
        return counts;

        NpgsqlCommand Windows(NpgsqlConnection on, string sql)
        {
            var command = new NpgsqlCommand(sql, on);
            command.Parameters.AddWithValue("size", sizeMs);
            command.Parameters.AddWithValue("deployment", deployment);
            command.Parameters.AddWithValue("since", sinceMs);
            command.Parameters.AddWithValue("until", UnixMs.From(until));
            if (modelVersion is { } version)
            {
                command.Parameters.AddWithValue("version", version);
            }

            return command;
        }
    }

    private static LabelledPrediction ReadBinary(NpgsqlDataReader reader)
    {
        var flags = reader.GetInt32(4);
        return new LabelledPrediction(
            reader.GetInt64(0), reader.GetInt64(1), reader.GetInt32(2), reader.IsDBNull(3) ? double.NaN : reader.GetDouble(3), double.NaN, (flags & 1) != 0, (flags & 2) != 0, null, null);
    }
}
