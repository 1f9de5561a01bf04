using System.Text;
using Kiln.Core.Monitoring;
using Microsoft.Data.Sqlite;

namespace Kiln.Storage.Monitoring;

/// <summary>Per-bucket traffic profiles on SQLite.</summary>
public sealed class SqliteSketchStore(MonitoringDatabase database) : ISketchStore
{
    public async Task UpsertAsync(IReadOnlyList<StoredSketch> sketches, CancellationToken cancellationToken)
    {
        if (sketches.Count == 0)
        {
            return;
        }

        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        using var upsert = connection.CreateCommand();
        upsert.Transaction = transaction;
        upsert.CommandText = """
            INSERT OR REPLACE INTO profile_sketches (deployment, model, version, bucket, rows, data)
            VALUES ($deployment, $model, $version, $bucket, $rows, $data)
            """;
        var deployment = upsert.Parameters.Add("$deployment", SqliteType.Text);
        var model = upsert.Parameters.Add("$model", SqliteType.Text);
        var version = upsert.Parameters.Add("$version", SqliteType.Integer);
        var bucket = upsert.Parameters.Add("$bucket", SqliteType.Integer);
        var rows = upsert.Parameters.Add("$rows", SqliteType.Integer);
        var data = upsert.Parameters.Add("$data", SqliteType.Blob);
        foreach (var sketch in sketches)
        {
            deployment.Value = sketch.Deployment;
            model.Value = sketch.ModelName;
            version.Value = sketch.ModelVersion;
            bucket.Value = sketch.BucketStartMs;
            rows.Value = sketch.Rows;
            data.Value = sketch.Data;
            await upsert.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<StoredSketch>> ReadAsync(string deployment, DateTimeOffset since, DateTimeOffset until, int? modelVersion, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        using var select = connection.CreateCommand();
        var sql = new StringBuilder("SELECT model, version, bucket, rows, data FROM profile_sketches WHERE deployment = $deployment AND bucket >= $since AND bucket < $until");
        select.Parameters.AddWithValue("$deployment", deployment);
        select.Parameters.AddWithValue("$since", MonitoringDatabase.ToMs(since));
        select.Parameters.AddWithValue("$until", MonitoringDatabase.ToMs(until));
        if (modelVersion is { } version)
        {
            sql.Append(" AND version = $version");
            select.Parameters.AddWithValue("$version", version);
        }

        sql.Append(" ORDER BY bucket");
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
        await using var connection = await database.OpenAsync(cancellationToken);
        using var select = connection.CreateCommand();
        select.CommandText = "SELECT rows, data FROM profile_sketches WHERE deployment = $deployment AND model = $model AND version = $version AND bucket = $bucket";
        select.Parameters.AddWithValue("$deployment", deployment);
        select.Parameters.AddWithValue("$model", modelName);
        select.Parameters.AddWithValue("$version", modelVersion);
        select.Parameters.AddWithValue("$bucket", bucketStartMs);
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new StoredSketch(deployment, modelName, modelVersion, bucketStartMs, reader.GetInt64(0), (byte[])reader.GetValue(1))
            : null;
    }
}
