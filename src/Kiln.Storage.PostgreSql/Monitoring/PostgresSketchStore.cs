using System.Text;
using Kiln.Core.Monitoring;
using Npgsql;
using NpgsqlTypes;

namespace Kiln.Storage.PostgreSql.Monitoring;

/// <summary>
/// Per-bucket traffic profiles on PostgreSQL. Each process writes its own row per bucket (keyed by
/// <paramref name="replica"/>), so replicas sharing the database never overwrite each other's minute;
/// readers merge every row of a bucket, as sketches are mergeable.
/// </summary>
public sealed class PostgresSketchStore(NpgsqlDataSource dataSource, string replica) : ISketchStore
{
    public async Task UpsertAsync(IReadOnlyList<StoredSketch> sketches, CancellationToken cancellationToken)
    {
        if (sketches.Count == 0)
        {
            return;
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var batch = new NpgsqlBatch(connection);
        foreach (var sketch in sketches)
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand("""
                INSERT INTO profile_sketches (deployment, model, version, bucket, replica, rows, data)
                VALUES (@deployment, @model, @version, @bucket, @replica, @rows, @data)
                ON CONFLICT (deployment, model, version, bucket, replica) DO UPDATE SET rows = excluded.rows, data = excluded.data
                """)
            {
                Parameters =
                {
                    new("deployment", sketch.Deployment),
                    new("model", sketch.ModelName),
                    new("version", sketch.ModelVersion),
                    new("bucket", sketch.BucketStartMs),
                    new("replica", replica),
                    new("rows", sketch.Rows),
                    new("data", NpgsqlDbType.Bytea) { Value = sketch.Data },
                },
            });
        }

        // A batch runs as one implicit transaction: all of a flush is stored, or none (and the flush retries).
        await batch.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<StoredSketch>> ReadAsync(string deployment, DateTimeOffset since, DateTimeOffset until, int? modelVersion, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var select = connection.CreateCommand();
        var sql = new StringBuilder("SELECT model, version, bucket, rows, data FROM profile_sketches WHERE deployment = @deployment AND bucket >= @since AND bucket < @until");
        select.Parameters.AddWithValue("deployment", deployment);
        select.Parameters.AddWithValue("since", UnixMs.From(since));
        select.Parameters.AddWithValue("until", UnixMs.From(until));
        if (modelVersion is { } version)
        {
            sql.Append(" AND version = @version");
            select.Parameters.AddWithValue("version", version);
        }

        sql.Append(" ORDER BY bucket, replica");
        select.CommandText = sql.ToString();
        var sketches = new List<StoredSketch>();
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            sketches.Add(new StoredSketch(deployment, reader.GetString(0), reader.GetInt32(1), reader.GetInt64(2), reader.GetInt64(3), (byte[])reader.GetValue(4)));
        }

        return sketches;
    }

    public async Task<StoredSketch?> ReadOwnAsync(string deployment, string modelName, int modelVersion, long bucketStartMs, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var select = connection.CreateCommand();
        select.CommandText = "SELECT rows, data FROM profile_sketches WHERE deployment = @deployment AND model = @model AND version = @version AND bucket = @bucket AND replica = @replica";
        select.Parameters.AddWithValue("deployment", deployment);
        select.Parameters.AddWithValue("model", modelName);
        select.Parameters.AddWithValue("version", modelVersion);
        select.Parameters.AddWithValue("bucket", bucketStartMs);
        select.Parameters.AddWithValue("replica", replica);
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new StoredSketch(deployment, modelName, modelVersion, bucketStartMs, reader.GetInt64(0), (byte[])reader.GetValue(1))
            : null;
    }
}
