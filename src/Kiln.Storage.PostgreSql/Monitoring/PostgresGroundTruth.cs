using System.Globalization;
using System.Text;
using Kiln.Core.Monitoring;
using Kiln.Storage.Monitoring;
using Npgsql;
using NpgsqlTypes;

namespace Kiln.Storage.PostgreSql.Monitoring;

/// <summary>
/// Ground truth on PostgreSQL: a whole upload is joined onto the prediction log in one UPDATE over
/// unnest()ed arrays, in one transaction; the labels it did not join are then told apart (duplicate
/// or unknown) with one lookup. Labelled rows are read back in the compact form quality needs.
/// </summary>
public sealed class PostgresGroundTruth(NpgsqlDataSource dataSource) : IGroundTruthStore, IQualityDataSource
{
    private const int ReportedIds = 100;

    public async Task<GroundTruthResult> ApplyAsync(string deployment, IReadOnlyList<GroundTruthLabel> labels, DateTimeOffset now, TimeSpan lateAfter, CancellationToken cancellationToken)
    {
        // The first label for a (request, row) is the one applied; later ones in the same upload are duplicates.
        var first = new Dictionary<(string, int), GroundTruthLabel>();
        foreach (var label in labels)
        {
            first.TryAdd((label.RequestId, label.Row), label);
        }

        var unique = first.Values.ToArray();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await PostgresQualityBuckets.LockForLabelsAsync(connection, transaction, deployment, cancellationToken);
        var joined = new Dictionary<(string, int), bool>();
        var buckets = new QualityBucketBuilder();
        var nowMs = UnixMs.From(now);
        await using (var update = new NpgsqlCommand(
            """
            UPDATE predictions p SET label = l.label, label_num = l.num, labelled_at = @now
            FROM unnest(@request_id, @row, @label, @num) AS l(request_id, "row", label, num)
            WHERE p.deployment = @deployment AND p.request_id = l.request_id AND p."row" = l."row" AND p.label IS NULL
            RETURNING p.request_id, p."row", p.ts, p.version, p.score, p.prediction, p.positive_label, l.label, l.num
            """,
            connection,
            transaction))
        {
            update.Parameters.AddWithValue("now", nowMs);
            update.Parameters.AddWithValue("deployment", deployment);
            update.Parameters.Add(new NpgsqlParameter<string[]>("request_id", unique.Select(l => l.RequestId).ToArray()));
            update.Parameters.Add(new NpgsqlParameter<int[]>("row", unique.Select(l => l.Row).ToArray()));
            update.Parameters.Add(new NpgsqlParameter<string[]>("label", unique.Select(l => l.Value).ToArray()));
            update.Parameters.Add(new NpgsqlParameter("num", NpgsqlDbType.Array | NpgsqlDbType.Double) { Value = unique.Select(l => Number(l.Value)).ToArray() });
            var lateBeforeMs = UnixMs.From(now - lateAfter);
            await using var reader = await update.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                // A request logged twice (its shadow too) joins twice: it is one label, late if either row is.
                var key = (reader.GetString(0), reader.GetInt32(1));
                var ts = reader.GetInt64(2);
                joined[key] = (joined.TryGetValue(key, out var late) && late) || ts < lateBeforeMs;
                buckets.AddLabel(
                    ts,
                    nowMs,
                    reader.GetInt32(3),
                    reader.IsDBNull(4) ? null : reader.GetDouble(4),
                    reader.IsDBNull(5) ? null : reader.GetString(5),
                    reader.IsDBNull(6) ? null : reader.GetString(6),
                    reader.GetString(7),
                    reader.IsDBNull(8) ? null : reader.GetDouble(8));
            }
        }

        var missing = unique.Where(l => !joined.ContainsKey((l.RequestId, l.Row))).ToArray();
        var known = await KnownAsync(connection, transaction, deployment, missing, cancellationToken);
        await PostgresQualityBuckets.AddLabelsAsync(connection, transaction, deployment, buckets, cancellationToken);
        await transaction.CommitAsync(cancellationToken);

        int accepted = 0, lateCount = 0, duplicates = 0, unknown = 0;
        var unknownIds = new List<string>();
        var duplicateIds = new List<string>();
        var acceptedKeys = new HashSet<(string, int)>();
        foreach (var label in labels)
        {
            var key = (label.RequestId, label.Row);
            if (joined.Remove(key, out var wasLate))
            {
                accepted++;
                lateCount += wasLate ? 1 : 0;
                acceptedKeys.Add(key);
            }
            else if (acceptedKeys.Contains(key) || known.Contains(key))
            {
                duplicates++;
                Note(duplicateIds, label);
            }
            else
            {
                unknown++;
                Note(unknownIds, label);
            }
        }

        return new GroundTruthResult(labels.Count, accepted, lateCount, duplicates, unknown, unknownIds, duplicateIds);
    }

    public async Task<PredictionTask> DetectTaskAsync(string deployment, DateTimeOffset since, DateTimeOffset until, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var select = new NpgsqlCommand(
            """
            SELECT positive_label IS NOT NULL, prediction IS NOT NULL, score IS NOT NULL FROM predictions
            WHERE deployment = @deployment AND ts >= @since AND ts < @until ORDER BY ts DESC LIMIT 1
            """,
            connection);
        select.Parameters.AddWithValue("deployment", deployment);
        select.Parameters.AddWithValue("since", UnixMs.From(since));
        select.Parameters.AddWithValue("until", UnixMs.From(until));
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return PredictionTask.Unknown;
        }

        return PredictionTasks.Of(reader.GetBoolean(0), reader.GetBoolean(1), reader.GetBoolean(2));
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
            PredictionTask.Binary => "SELECT ts, labelled_at, version, score, coalesce(prediction = positive_label, false)::int | (coalesce(label = positive_label, false)::int << 1) FROM predictions",
            PredictionTask.Multiclass => "SELECT ts, labelled_at, version, prediction, label FROM predictions",
            _ => "SELECT ts, labelled_at, version, score, label_num, coalesce(prediction = positive_label, false), coalesce(label = positive_label, false) FROM predictions",
        });
        sql.Append(" WHERE deployment = @deployment AND ts >= @since AND ts < @until AND label IS NOT NULL");
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
        // row of the range (on disk at 1M rows). Per window, both counts are index-only scans: all rows from
        // (deployment, ts, version), labelled ones from the partial index. A window almost always holds one version
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
            SELECT w.start, t.n, t.lo, t.hi, (SELECT COUNT(*) FROM predictions WHERE {InWindow}{ofVersion} AND label IS NOT NULL)
            FROM generate_series(@first, @until - 1, @size) AS w(start)
            CROSS JOIN LATERAL (SELECT COUNT(*) AS n, MIN(version) AS lo, MAX(version) AS hi FROM predictions WHERE {InWindow}{ofVersion}) t
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
            SELECT w.start, t.version, t.n, (SELECT COUNT(*) FROM predictions WHERE {InWindow} AND version = t.version AND label IS NOT NULL)
            FROM unnest(@starts) AS w(start)
            CROSS JOIN LATERAL (SELECT version, COUNT(*) AS n FROM predictions WHERE {InWindow} GROUP BY version) t
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

    private static async Task<HashSet<(string, int)>> KnownAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string deployment, GroundTruthLabel[] labels, CancellationToken cancellationToken)
    {
        var known = new HashSet<(string, int)>();
        if (labels.Length == 0)
        {
            return known;
        }

        await using var select = new NpgsqlCommand(
            """
            SELECT DISTINCT p.request_id, p."row" FROM predictions p
            JOIN unnest(@request_id, @row) AS l(request_id, "row") ON p.request_id = l.request_id AND p."row" = l."row"
            WHERE p.deployment = @deployment
            """,
            connection,
            transaction);
        select.Parameters.AddWithValue("deployment", deployment);
        select.Parameters.Add(new NpgsqlParameter<string[]>("request_id", labels.Select(l => l.RequestId).ToArray()));
        select.Parameters.Add(new NpgsqlParameter<int[]>("row", labels.Select(l => l.Row).ToArray()));
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            known.Add((reader.GetString(0), reader.GetInt32(1)));
        }

        return known;
    }

    private static double? Number(string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number) ? number : null;

    private static void Note(List<string> ids, GroundTruthLabel label)
    {
        if (ids.Count < ReportedIds)
        {
            ids.Add($"{label.RequestId}/{label.Row.ToString(CultureInfo.InvariantCulture)}");
        }
    }
}
