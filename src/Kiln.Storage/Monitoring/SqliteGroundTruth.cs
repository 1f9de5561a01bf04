using System.Globalization;
using System.Text;
using Kiln.Core.Monitoring;
using Microsoft.Data.Sqlite;

namespace Kiln.Storage.Monitoring;

/// <summary>
/// Ground truth joined to the logged request and row it belongs to (one label row per joined prediction, one
/// transaction per upload), and the labelled rows read back in the compact form quality needs.
/// </summary>
public sealed class SqliteGroundTruth(MonitoringDatabase database) : IGroundTruthStore, IQualityDataSource
{
    public async Task<GroundTruthResult> ApplyAsync(string deployment, IReadOnlyList<GroundTruthLabel> labels, DateTimeOffset now, TimeSpan lateAfter, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        using var find = connection.CreateCommand();
        find.Transaction = transaction;
        find.CommandText = "SELECT id, first_row, row_count, ts, version, data FROM prediction_requests WHERE deployment = $deployment AND request_id = $request_id";
        find.Parameters.AddWithValue("$deployment", deployment);
        var findId = find.Parameters.Add("$request_id", SqliteType.Text);
        find.Prepare();

        // The first label of a row wins: a second one conflicts on the row id and is counted as a duplicate.
        using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = """
            INSERT INTO prediction_labels (id, deployment, ts, version, score, prediction, positive_label, label, label_num, labelled_at)
            VALUES ($id, $deployment, $ts, $version, $score, $prediction, $positive_label, $label, $num, $now)
            ON CONFLICT (id) DO NOTHING
            """;
        insert.Parameters.AddWithValue("$deployment", deployment);
        insert.Parameters.AddWithValue("$now", MonitoringDatabase.ToMs(now));
        var (id, ts, version, score, prediction, positive, label, num) = (
            insert.Parameters.Add("$id", SqliteType.Integer),
            insert.Parameters.Add("$ts", SqliteType.Integer),
            insert.Parameters.Add("$version", SqliteType.Integer),
            insert.Parameters.Add("$score", SqliteType.Real),
            insert.Parameters.Add("$prediction", SqliteType.Text),
            insert.Parameters.Add("$positive_label", SqliteType.Text),
            insert.Parameters.Add("$label", SqliteType.Text),
            insert.Parameters.Add("$num", SqliteType.Real));
        insert.Prepare();

        var join = new GroundTruthJoin(now, lateAfter);
        foreach (var item in labels)
        {
            var labelNumber = GroundTruthJoin.Number(item.Value);
            var candidates = await join.RequestsAsync(item.RequestId, async requestId =>
            {
                findId.Value = requestId;
                var found = new List<GroundTruthJoin.Candidate>();
                await using var reader = await find.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    found.Add(new(reader.GetInt64(0), reader.GetInt32(1), reader.GetInt32(2), reader.GetInt64(3), reader.GetInt32(4), (byte[])reader.GetValue(5)));
                }

                return found;
            });

            var (joined, known, late) = (0, false, false);
            foreach (var candidate in candidates)
            {
                if (!candidate.HasRow(item.Row))
                {
                    continue;
                }

                known = true;
                var target = candidate.Target(item.Row);
                (id.Value, ts.Value, version.Value) = (target.RowId, target.TimestampMs, target.Version);
                score.Value = target.Score is { } s ? s : DBNull.Value;
                prediction.Value = (object?)target.Prediction ?? DBNull.Value;
                positive.Value = (object?)target.PositiveLabel ?? DBNull.Value;
                label.Value = item.Value;
                num.Value = labelNumber is { } n ? n : DBNull.Value;
                if (await insert.ExecuteNonQueryAsync(cancellationToken) == 1)
                {
                    joined++;
                    late |= join.IsLate(target.TimestampMs);
                    join.Joined(target, item.Value, labelNumber);
                }
            }

            join.Count(item, joined, known, late);
        }

        await SqliteQualityBuckets.AddLabelsAsync(connection, transaction, deployment, join.Buckets, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return join.Result(labels.Count);
    }

    public async Task<PredictionTask> DetectTaskAsync(string deployment, DateTimeOffset since, DateTimeOffset until, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        using var select = connection.CreateCommand();
        select.CommandText = "SELECT task FROM prediction_requests WHERE deployment = $deployment AND ts >= $since AND ts < $until ORDER BY ts DESC LIMIT 1";
        select.Parameters.AddWithValue("$deployment", deployment);
        select.Parameters.AddWithValue("$since", MonitoringDatabase.ToMs(since));
        select.Parameters.AddWithValue("$until", MonitoringDatabase.ToMs(until));
        return await select.ExecuteScalarAsync(cancellationToken) is long task ? (PredictionTask)task : PredictionTask.Unknown;
    }

    public Task<IReadOnlyList<BucketQuality>> ReadSummariesAsync(string deployment, DateTimeOffset since, DateTimeOffset until, int? modelVersion, CancellationToken cancellationToken) =>
        SqliteQualityBuckets.ReadAsync(database, deployment, MonitoringDatabase.ToMs(since), MonitoringDatabase.ToMs(until), modelVersion, cancellationToken);

    public async Task<IReadOnlyList<LabelledPrediction>> ReadLabelledAsync(string deployment, DateTimeOffset since, DateTimeOffset until, int? modelVersion, PredictionTask task, int? last, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        using var select = connection.CreateCommand();

        // Each column read is a native call per row, and at a million rows those calls cost more than SQLite's
        // own work: binary and multiclass read only what their metrics use (binary folds its two flags into one
        // integer); other tasks read everything.
        var sql = new StringBuilder(task switch
        {
            PredictionTask.Binary => "SELECT ts, labelled_at, version, score, ifnull(prediction = positive_label, 0) | (ifnull(label = positive_label, 0) << 1) FROM prediction_labels",
            PredictionTask.Multiclass => "SELECT ts, labelled_at, version, prediction, label FROM prediction_labels",
            _ => "SELECT ts, labelled_at, version, score, label_num, prediction = positive_label, label = positive_label FROM prediction_labels",
        });
        sql.Append(" WHERE deployment = $deployment AND ts >= $since AND ts < $until");
        select.Parameters.AddWithValue("$deployment", deployment);
        select.Parameters.AddWithValue("$since", MonitoringDatabase.ToMs(since));
        select.Parameters.AddWithValue("$until", MonitoringDatabase.ToMs(until));
        if (modelVersion is { } version)
        {
            sql.Append(" AND version = $version");
            select.Parameters.AddWithValue("$version", version);
        }

        // The last N come newest first through the same index, and are put back in time order below.
        sql.Append(last is null ? " ORDER BY ts" : " ORDER BY ts DESC LIMIT $last");
        if (last is { } n)
        {
            select.Parameters.AddWithValue("$last", n);
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
                    !reader.IsDBNull(5) && reader.GetInt64(5) == 1,
                    !reader.IsDBNull(6) && reader.GetInt64(6) == 1,
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
        await using var connection = await database.OpenAsync(cancellationToken);

        // One small aggregate per window rather than one GROUP BY (ts / bucket) over the range: SQLite does not
        // see that the bucket follows the (deployment, ts) index and would sort every request in a temp B-tree. A window
        // almost always holds one version (MIN = MAX); only a window with several is grouped by version. Both reads are
        // index-only: requests from (deployment, ts, version, row_count), labels from theirs.
        var filter = " WHERE deployment = $deployment AND ts >= $from AND ts < $to" + (modelVersion is null ? string.Empty : " AND version = $version");
        using var totals = Command(connection, "SELECT ifnull(sum(row_count), 0), min(version), max(version), (SELECT count(*) FROM prediction_labels" + filter + ") FROM prediction_requests" + filter, deployment, modelVersion);
        using var grouped = Command(connection, """
            SELECT r.version, r.n, (SELECT count(*) FROM prediction_labels l WHERE l.deployment = $deployment AND l.ts >= $from AND l.ts < $to AND l.version = r.version)
            FROM (SELECT version, sum(row_count) AS n FROM prediction_requests
            """ + filter + " GROUP BY version) r ORDER BY r.version", deployment, modelVersion);
        var sizeMs = Math.Max(1L, (long)bucket.TotalMilliseconds);
        var sinceMs = MonitoringDatabase.ToMs(since);
        var untilMs = MonitoringDatabase.ToMs(until);
        var counts = new List<PredictionCount>();
        for (var start = Math.DivRem(sinceMs, sizeMs, out var rest) * sizeMs - (rest < 0 ? sizeMs : 0); start < untilMs; start += sizeMs)
        {
            var range = (Math.Max(start, sinceMs), Math.Min(start + sizeMs, untilMs));
            long predictions, labelled;
            int lowest, highest;
            await using (var reader = await Run(totals, range, cancellationToken))
            {
                await reader.ReadAsync(cancellationToken);
                predictions = reader.GetInt64(0);
                lowest = predictions == 0 ? 0 : reader.GetInt32(1);
                highest = predictions == 0 ? 0 : reader.GetInt32(2);
                labelled = reader.GetInt64(3);
            }

            if (predictions == 0)
            {
                continue;
            }

            if (lowest == highest)
            {
                counts.Add(new PredictionCount(start, lowest, predictions, labelled));
                continue;
            }

            await using var versions = await Run(grouped, range, cancellationToken);
            while (await versions.ReadAsync(cancellationToken))
            {
                counts.Add(new PredictionCount(start, versions.GetInt32(0), versions.GetInt64(1), versions.GetInt64(2)));
            }
        }

        return counts;
    }

    private static LabelledPrediction ReadBinary(SqliteDataReader reader)
    {
        var flags = reader.GetInt64(4);
        return new LabelledPrediction(
            reader.GetInt64(0), reader.GetInt64(1), reader.GetInt32(2), reader.IsDBNull(3) ? double.NaN : reader.GetDouble(3), double.NaN, (flags & 1) != 0, (flags & 2) != 0, null, null);
    }

    private static SqliteCommand Command(SqliteConnection connection, string sql, string deployment, int? modelVersion)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.AddWithValue("$deployment", deployment);
        command.Parameters.Add("$from", SqliteType.Integer);
        command.Parameters.Add("$to", SqliteType.Integer);
        if (modelVersion is { } version)
        {
            command.Parameters.AddWithValue("$version", version);
        }

        return command;
    }

    private static Task<SqliteDataReader> Run(SqliteCommand command, (long From, long To) range, CancellationToken cancellationToken)
    {
        command.Parameters["$from"].Value = range.From;
        command.Parameters["$to"].Value = range.To;
        return command.ExecuteReaderAsync(cancellationToken);
    }
}
