using Microsoft.Data.Sqlite;

namespace Kiln.Storage.Monitoring;

/// <summary>
/// Brings a monitoring database from an earlier Kiln up to the current layout, once, in one transaction
/// (<c>PRAGMA user_version</c> says how far it is): 1 added quality buckets; 2 moved the log from one row per
/// prediction (<c>predictions</c>) to one row per request (<c>prediction_requests</c>) and labels to their own table.
/// An old row becomes a one-row request whose blob is its JSON (<see cref="Kiln.Core.Monitoring.PredictionBlob"/>
/// reads both), keeping its id, so nothing logged or labelled is lost and paging cursors stay valid.
/// </summary>
internal static class SqlitePredictionLogUpgrade
{
    /// <summary>The layout this build writes.</summary>
    public const long Version = 2;

    // Every bucket of the log counted and marked stale, so each is rebuilt from its requests and labels when a report first reads it.
    private const string QualityBuckets = """
        INSERT OR REPLACE INTO quality_buckets (deployment, bucket, version, predictions, summary, stale)
        SELECT deployment, (ts / 60000) * 60000, version, sum(row_count), NULL, 1 FROM prediction_requests GROUP BY 1, 2, 3;
        """;

    private const string RequestLayout = """
        INSERT INTO prediction_requests (id, ts, deployment, variant, model, version, request_id, first_row, row_count, latency_ms, task, data)
        SELECT id, ts, deployment, variant, model, version, request_id, row, 1, latency_ms,
            CASE WHEN positive_label IS NOT NULL THEN 1 WHEN prediction IS NOT NULL THEN 2 WHEN score IS NOT NULL THEN 3 ELSE 0 END,
            CAST(json_object('inputs', json(inputs), 'outputs', json(outputs), 'prediction', prediction, 'score', score, 'positive_label', positive_label) AS BLOB)
        FROM predictions;
        INSERT INTO prediction_labels (id, deployment, ts, version, score, prediction, positive_label, label, label_num, labelled_at)
        SELECT id, deployment, ts, version, score, prediction, positive_label, label, label_num, labelled_at FROM predictions WHERE label IS NOT NULL;
        DROP TABLE predictions;
        """;

    public static async Task RunAsync(SqliteConnection connection, long from, CancellationToken cancellationToken)
    {
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'predictions')";
        var hasOldLog = Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture) == 1;
        command.CommandText = (hasOldLog ? RequestLayout : string.Empty)
            + (from < 1 ? QualityBuckets : string.Empty)
            + $"PRAGMA user_version = {Version};";
        await command.ExecuteNonQueryAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }
}
