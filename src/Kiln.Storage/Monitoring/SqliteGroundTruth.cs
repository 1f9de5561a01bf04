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
            RETURNING ts
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

        var lateBeforeMs = MonitoringDatabase.ToMs(now - lateAfter);
        int accepted = 0, late = 0, duplicates = 0, unknown = 0;
        var unknownIds = new List<string>();
        var duplicateIds = new List<string>();
        foreach (var item in labels)
        {
            label.Value = item.Value;
            num.Value = double.TryParse(item.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number) ? number : DBNull.Value;
            requestId.Value = item.RequestId;
            row.Value = item.Row;
            var joined = 0;
            var wasLate = false;
            await using (var reader = await update.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                    joined++;
                    wasLate |= reader.GetInt64(0) < lateBeforeMs;
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

        return (reader.GetBoolean(0), reader.GetBoolean(1), reader.GetBoolean(2)) switch
        {
            (true, _, _) => PredictionTask.Binary,
            (false, true, _) => PredictionTask.Multiclass,
            (false, false, true) => PredictionTask.Regression,
            _ => PredictionTask.Unknown,
        };
    }

    public async Task<IReadOnlyList<LabelledPrediction>> ReadLabelledAsync(string deployment, DateTimeOffset since, DateTimeOffset until, int? modelVersion, PredictionTask task, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        using var select = connection.CreateCommand();
        var sql = new StringBuilder(task == PredictionTask.Multiclass
            ? "SELECT ts, labelled_at, version, score, label_num, 0, 0, prediction, label FROM predictions"
            : "SELECT ts, labelled_at, version, score, label_num, prediction = positive_label, label = positive_label, NULL, NULL FROM predictions");
        sql.Append(" WHERE deployment = $deployment AND ts >= $since AND ts < $until AND label IS NOT NULL");
        select.Parameters.AddWithValue("$deployment", deployment);
        select.Parameters.AddWithValue("$since", MonitoringDatabase.ToMs(since));
        select.Parameters.AddWithValue("$until", MonitoringDatabase.ToMs(until));
        if (modelVersion is { } version)
        {
            sql.Append(" AND version = $version");
            select.Parameters.AddWithValue("$version", version);
        }

        sql.Append(" ORDER BY ts");
        select.CommandText = sql.ToString();
        var rows = new List<LabelledPrediction>();
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(new LabelledPrediction(
                reader.GetInt64(0),
                reader.GetInt64(1),
                reader.GetInt32(2),
                reader.IsDBNull(3) ? double.NaN : reader.GetDouble(3),
                reader.IsDBNull(4) ? double.NaN : reader.GetDouble(4),
                !reader.IsDBNull(5) && reader.GetInt64(5) == 1,
                !reader.IsDBNull(6) && reader.GetInt64(6) == 1,
                reader.IsDBNull(7) ? null : reader.GetString(7),
                reader.IsDBNull(8) ? null : reader.GetString(8)));
        }

        return rows;
    }

    public async Task<IReadOnlyList<PredictionCount>> CountAsync(string deployment, DateTimeOffset since, DateTimeOffset until, TimeSpan bucket, int? modelVersion, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        using var select = connection.CreateCommand();
        var sql = new StringBuilder("""
            SELECT (ts / $bucket) * $bucket AS b, version, COUNT(*), COUNT(label) FROM predictions
            WHERE deployment = $deployment AND ts >= $since AND ts < $until
            """);
        select.Parameters.AddWithValue("$bucket", Math.Max(1L, (long)bucket.TotalMilliseconds));
        select.Parameters.AddWithValue("$deployment", deployment);
        select.Parameters.AddWithValue("$since", MonitoringDatabase.ToMs(since));
        select.Parameters.AddWithValue("$until", MonitoringDatabase.ToMs(until));
        if (modelVersion is { } version)
        {
            sql.Append(" AND version = $version");
            select.Parameters.AddWithValue("$version", version);
        }

        sql.Append(" GROUP BY b, version ORDER BY b, version");
        select.CommandText = sql.ToString();
        var counts = new List<PredictionCount>();
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            counts.Add(new PredictionCount(reader.GetInt64(0), reader.GetInt32(1), reader.GetInt64(2), reader.GetInt64(3)));
        }

        return counts;
    }

    private static void Note(List<string> ids, GroundTruthLabel label)
    {
        if (ids.Count < ReportedIds)
        {
            ids.Add($"{label.RequestId}/{label.Row.ToString(CultureInfo.InvariantCulture)}");
        }
    }
}
