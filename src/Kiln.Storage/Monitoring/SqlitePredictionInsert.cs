using System.Buffers;
using System.Text;
using Kiln.Core.Monitoring;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Kiln.Storage.Monitoring;

/// <summary>
/// The prediction log's insert, prepared once per batch and bound by position straight from UTF-8: ADO.NET's
/// parameters look each name up and convert each string on every row, which at tens of thousands of requests a second
/// is a large share of the store's time (bench/README.md, P7).
/// </summary>
internal sealed class SqlitePredictionInsert : IDisposable
{
    private const string Sql = """
        INSERT INTO prediction_requests (id, ts, deployment, variant, model, version, request_id, first_row, row_count, latency_ms, task, data)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
        """;

    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _statement;
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(4096);

    public SqlitePredictionInsert(SqliteConnection connection)
    {
        _db = connection.Handle!;
        Check(raw.sqlite3_prepare_v2(_db, Sql, out _statement));
    }

    public void Insert(long id, LoggedRequest request)
    {
        raw.sqlite3_bind_int64(_statement, 1, id);
        raw.sqlite3_bind_int64(_statement, 2, MonitoringDatabase.ToMs(request.Timestamp));
        BindText(3, request.Deployment);
        BindText(4, request.Variant);
        BindText(5, request.ModelName);
        raw.sqlite3_bind_int(_statement, 6, request.ModelVersion);
        BindText(7, request.RequestId);
        raw.sqlite3_bind_int(_statement, 8, request.FirstRow);
        raw.sqlite3_bind_int(_statement, 9, request.Rows);
        raw.sqlite3_bind_double(_statement, 10, request.LatencyMs);
        raw.sqlite3_bind_int(_statement, 11, (int)request.Task);
        Check(raw.sqlite3_bind_blob(_statement, 12, request.Data));
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

    private void BindText(int index, string value)
    {
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
