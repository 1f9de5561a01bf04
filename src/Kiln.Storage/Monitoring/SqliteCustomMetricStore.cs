using Kiln.Core.Monitoring;
using Microsoft.Data.Sqlite;

namespace Kiln.Storage.Monitoring;

/// <summary>Custom metrics on SQLite.</summary>
public sealed class SqliteCustomMetricStore(MonitoringDatabase database) : ICustomMetricStore
{
    public async Task AppendAsync(string deployment, IReadOnlyList<CustomMetricPoint> points, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = "INSERT INTO custom_metrics (ts, deployment, name, value, request_id, row) VALUES ($ts, $deployment, $name, $value, $request_id, $row)";
        var ts = insert.Parameters.Add("$ts", SqliteType.Integer);
        insert.Parameters.AddWithValue("$deployment", deployment);
        var name = insert.Parameters.Add("$name", SqliteType.Text);
        var value = insert.Parameters.Add("$value", SqliteType.Real);
        var requestId = insert.Parameters.Add("$request_id", SqliteType.Text);
        var row = insert.Parameters.Add("$row", SqliteType.Integer);
        foreach (var point in points)
        {
            ts.Value = MonitoringDatabase.ToMs(point.Timestamp);
            name.Value = point.Name;
            value.Value = point.Value;
            requestId.Value = (object?)point.RequestId ?? DBNull.Value;
            row.Value = (object?)point.Row ?? DBNull.Value;
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<CustomMetricPoint>> ReadAsync(string deployment, string? name, DateTimeOffset since, DateTimeOffset until, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        using var select = connection.CreateCommand();
        select.CommandText = "SELECT name, value, ts, request_id, row FROM custom_metrics WHERE deployment = $deployment AND ts >= $since AND ts < $until"
            + (name is null ? string.Empty : " AND name = $name") + " ORDER BY ts, id";
        select.Parameters.AddWithValue("$deployment", deployment);
        select.Parameters.AddWithValue("$since", MonitoringDatabase.ToMs(since));
        select.Parameters.AddWithValue("$until", MonitoringDatabase.ToMs(until));
        if (name is not null)
        {
            select.Parameters.AddWithValue("$name", name);
        }

        var points = new List<CustomMetricPoint>();
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            points.Add(new CustomMetricPoint(
                reader.GetString(0),
                reader.GetDouble(1),
                MonitoringDatabase.FromMs(reader.GetInt64(2)),
                reader.IsDBNull(3) ? null : reader.GetString(3),
                reader.IsDBNull(4) ? null : reader.GetInt32(4)));
        }

        return points;
    }
}
