using Kiln.Core.Monitoring;
using Npgsql;
using NpgsqlTypes;

namespace Kiln.Storage.PostgreSql.Monitoring;

/// <summary>Custom metrics on PostgreSQL.</summary>
public sealed class PostgresCustomMetricStore(NpgsqlDataSource dataSource) : ICustomMetricStore
{
    public async Task AppendAsync(string deployment, IReadOnlyList<CustomMetricPoint> points, CancellationToken cancellationToken)
    {
        if (points.Count == 0)
        {
            return;
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var insert = connection.CreateCommand();
        insert.CommandText = """
            INSERT INTO custom_metrics (ts, deployment, name, value, request_id, "row")
            SELECT p.ts, @deployment, p.name, p.value, p.request_id, p."row"
            FROM unnest(@ts, @name, @value, @request_id, @row) AS p(ts, name, value, request_id, "row")
            """;
        insert.Parameters.AddWithValue("deployment", deployment);
        insert.Parameters.Add(new NpgsqlParameter<long[]>("ts", points.Select(p => UnixMs.From(p.Timestamp)).ToArray()));
        insert.Parameters.Add(new NpgsqlParameter<string[]>("name", points.Select(p => p.Name).ToArray()));
        insert.Parameters.Add(new NpgsqlParameter<double[]>("value", points.Select(p => p.Value).ToArray()));
        insert.Parameters.Add(new NpgsqlParameter("request_id", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = points.Select(p => p.RequestId).ToArray() });
        insert.Parameters.Add(new NpgsqlParameter("row", NpgsqlDbType.Array | NpgsqlDbType.Integer) { Value = points.Select(p => p.Row).ToArray() });
        await insert.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<CustomMetricPoint>> ReadAsync(string deployment, string? name, DateTimeOffset since, DateTimeOffset until, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var select = connection.CreateCommand();
        select.CommandText = "SELECT name, value, ts, request_id, \"row\" FROM custom_metrics WHERE deployment = @deployment AND ts >= @since AND ts < @until"
            + (name is null ? string.Empty : " AND name = @name") + " ORDER BY ts, id";
        select.Parameters.AddWithValue("deployment", deployment);
        select.Parameters.AddWithValue("since", UnixMs.From(since));
        select.Parameters.AddWithValue("until", UnixMs.From(until));
        if (name is not null)
        {
            select.Parameters.AddWithValue("name", name);
        }

        var points = new List<CustomMetricPoint>();
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            points.Add(new CustomMetricPoint(
                reader.GetString(0),
                reader.GetDouble(1),
                UnixMs.To(reader.GetInt64(2)),
                reader.IsDBNull(3) ? null : reader.GetString(3),
                reader.IsDBNull(4) ? null : reader.GetInt32(4)));
        }

        return points;
    }
}
