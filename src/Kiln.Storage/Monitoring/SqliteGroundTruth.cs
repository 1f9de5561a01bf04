using System.Globalization;
using System.Text;
using Kiln.Core.Monitoring;
using Microsoft.Data.Sqlite;

namespace Kiln.Storage.Monitoring;

/// <summary>
/// Ground truth joined onto the prediction log row it belongs to (one update per label, one
/// transaction per upload), and the labelled rows read back in the compact form quality needs.
/// </summary>
public sealed class SqliteGroundTruth(MonitoringDatabase database) : IGroundTruthStore, IQualityDataSource
{
    private const int ReportedIds = 100;

    public async Task<GroundTruthResult> ApplyAsync(string deployment, IReadOnlyList<GroundTruthLabel> labels, DateTimeOffset now, TimeSpan lateAfter, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        using var update = connection.CreateCommand();
        update.Transaction = transaction;
        update.CommandText = """
            UPDATE predictions SET label = $label, label_num = $num, labelled_at = $now
            WHERE deployment = $deployment AND request_id = $request_id AND row = $row AND label IS NULL
            RETURNING ts, version, score, prediction, positive_label
            """;
        var label = update.Parameters.Add("$label", SqliteType.Text);
        var num = update.Parameters.Add("$num", SqliteType.Real);
        update.Parameters.AddWithValue("$now", MonitoringDatabase.ToMs(now));
        update.Parameters.AddWithValue("$deployment", deployment);
        var requestId = update.Parameters.Add("$request_id", SqliteType.Text);
        var row = update.Parameters.Add("$row", SqliteType.Integer);
        update.Prepare();

        using var exists = connection.CreateCommand();
        exists.Transaction = transaction;
        exists.CommandText = "SELECT EXISTS (SELECT 1 FROM predictions WHERE deployment = $deployment AND request_id = $request_id AND row = $row)";
        exists.Parameters.AddWithValue("$deployment", deployment);
        var existsId = exists.Parameters.Add("$request_id", SqliteType.Text);
        var existsRow = exists.Parameters.Add("$row", SqliteType.Integer);
        exists.Prepare();

        var nowMs = MonitoringDatabase.ToMs(now);
        var lateBeforeMs = MonitoringDatabase.ToMs(now - lateAfter);
        var buckets = new QualityBucketBuilder();
        int accepted = 0, late = 0, duplicates = 0, unknown = 0;
        var unknownIds = new List<string>();
        var duplicateIds = new List<string>();
        foreach (var item in labels)
        {
            label.Value = item.Value;
            double? labelNumber = double.TryParse(item.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number) ? number : null;
            num.Value = labelNumber is { } n ? n : DBNull.Value;
            requestId.Value = item.RequestId;
            row.Value = item.Row;
            var joined = 0;
            var wasLate = false;
            await using (var reader = await update.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                    joined++;
                    var ts = reader.GetInt64(0);
                    wasLate |= ts < lateBeforeMs;
                    buckets.AddLabel(
                        ts,
                        nowMs,
                        reader.GetInt32(1),
                        reader.IsDBNull(2) ? null : reader.GetDouble(2),
                        reader.IsDBNull(3) ? null : reader.GetString(3),
                        reader.IsDBNull(4) ? null : reader.GetString(4),
                        item.Value,
                        labelNumber);
                }
            }

            if (joined > 0)
            {
                accepted++;
                late += wasLate ? 1 : 0;
                continue;
            }

            existsId.Value = item.RequestId;
            existsRow.Value = item.Row;
            var known = Convert.ToInt64(await exists.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture) == 1;
            if (known)
            {
                duplicates++;
                Note(duplicateIds, item);
            }
            else
            {
                unknown++;
                Note(unknownIds, item);
            }
        }

        await SqliteQualityBuckets.AddLabelsAsync(connection, transaction, deployment, buckets, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new GroundTruthResult(labels.Count, accepted, late, duplicates, unknown, unknownIds, duplicateIds);
    }

    public async Task<PredictionTask> DetectTaskAsync(string deployment, DateTimeOffset since, DateTimeOffset until, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        using var select = connection.CreateCommand();
        select.CommandText = """
            SELECT positive_label IS NOT NULL, prediction IS NOT NULL, score IS NOT NULL FROM predictions
            WHERE deployment = $deployment AND ts >= $since AND ts < $until ORDER BY ts DESC LIMIT 1
            """;
        select.Parameters.AddWithValue("$deployment", deployment);
        select.Parameters.AddWithValue("$since", MonitoringDatabase.ToMs(since));
        select.Parameters.AddWithValue("$until", MonitoringDatabase.ToMs(until));
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return PredictionTask.Unknown;
        }

        return PredictionTasks.Of(reader.GetBoolean(0), reader.GetBoolean(1), reader.GetBoolean(2));
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
            PredictionTask.Binary => "SELECT ts, labelled_at, version, score, ifnull(prediction = positive_label, 0) | (ifnull(label = positive_label, 0) << 1) FROM predictions",
            PredictionTask.Multiclass => "SELECT ts, labelled_at, version, prediction, label FROM predictions",
            _ => "SELECT ts, labelled_at, version, score, label_num, prediction = positive_label, label = positive_label FROM predictions",
        });
        sql.Append(" WHERE deployment = $deployment AND ts >= $since AND ts < $until AND label IS NOT NULL");
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
        // see that the bucket follows the (deployment, ts) index and would sort every row in a temp B-tree. A window
        // almost always holds one version (MIN = MAX); only a window with several is grouped by version.
        var filter = " WHERE deployment = $deployment AND ts >= $from AND ts < $to" + (modelVersion is null ? string.Empty : " AND version = $version");
        // Both counts are index-only: all rows from (deployment, ts, version), labelled ones from the partial index.
        using var totals = Command(connection, "SELECT COUNT(*), MIN(version), MAX(version), (SELECT COUNT(*) FROM predictions" + filter + " AND label IS NOT NULL) FROM predictions" + filter, deployment, modelVersion);
        using var grouped = Command(connection, """
            SELECT a.version, COUNT(*), (SELECT COUNT(*) FROM predictions l
                WHERE l.deployment = $deployment AND l.ts >= $from AND l.ts < $to AND l.version = a.version AND l.label IS NOT NULL)
            FROM predictions a
            """ + filter.Replace(" deployment =", " a.deployment =", StringComparison.Ordinal).Replace(" ts ", " a.ts ", StringComparison.Ordinal).Replace(" version =", " a.version =", StringComparison.Ordinal)
            + " GROUP BY a.version ORDER BY a.version", deployment, modelVersion);
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

    private static void Note(List<string> ids, GroundTruthLabel label)
    {
        if (ids.Count < ReportedIds)
        {
            ids.Add($"{label.RequestId}/{label.Row.ToString(CultureInfo.InvariantCulture)}");
        }
    }
}
