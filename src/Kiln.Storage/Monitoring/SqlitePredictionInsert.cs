using System.Buffers;
using System.Text;
using Kiln.Core.Monitoring;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Kiln.Storage.Monitoring;

/// <summary>
/// The prediction log's insert, prepared once per batch and bound by position straight from UTF-8: ADO.NET's
/// parameters look each name up and convert each string on every row, which at hundreds of thousands of rows a second
/// is a large share of the store's time (bench/README.md, P7).
/// </summary>
internal sealed class SqlitePredictionInsert : IDisposable
{
    private const string Sql = """
        INSERT INTO predictions (ts, deployment, variant, model, version, request_id, row, latency_ms, prediction, score, positive_label, inputs, outputs)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
        """;

    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _statement;
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(4096);

    public SqlitePredictionInsert(SqliteConnection connection)
    {
        _db = connection.Handle!;
        Check(raw.sqlite3_prepare_v2(_db, Sql, out _statement));
    }

    public void Insert(PredictionRow row)
    {
        raw.sqlite3_bind_int64(_statement, 1, MonitoringDatabase.ToMs(row.Timestamp));
        BindText(2, row.Deployment);
        BindText(3, row.Variant);
        BindText(4, row.ModelName);
        raw.sqlite3_bind_int(_statement, 5, row.ModelVersion);
        BindText(6, row.RequestId);
        raw.sqlite3_bind_int(_statement, 7, row.Row);
        raw.sqlite3_bind_double(_statement, 8, row.LatencyMs);
        BindText(9, row.Prediction);
        if (row.Score is { } score && double.IsFinite(score))
        {
            raw.sqlite3_bind_double(_statement, 10, score);
        }
        else
        {
            raw.sqlite3_bind_null(_statement, 10);
        }

        BindText(11, row.PositiveLabel);
        BindText(12, row.InputsJson);
        BindText(13, row.OutputsJson);
        var result = raw.sqlite3_step(_statement);
        raw.sqlite3_reset(_statement);
        if (result != raw.SQLITE_DONE)
        {
            Check(result);
        }
    }

    public void Dispose()
    {
        _statement.Dispose();
        ArrayPool<byte>.Shared.Return(_buffer);
    }

    private void BindText(int index, string? value)
    {
        if (value is null)
        {
            raw.sqlite3_bind_null(_statement, index);
            return;
        }

        var length = Encoding.UTF8.GetMaxByteCount(value.Length);
        if (length > _buffer.Length)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = ArrayPool<byte>.Shared.Rent(length);
        }

        // SQLite copies the text (SQLITE_TRANSIENT), so one buffer serves every parameter.
        var written = Encoding.UTF8.GetBytes(value, _buffer);
        Check(raw.sqlite3_bind_text(_statement, index, _buffer.AsSpan(0, written)));
    }

    private void Check(int result)
    {
        if (result != raw.SQLITE_OK)
        {
            SqliteException.ThrowExceptionForRC(result, _db);
        }
    }
}
