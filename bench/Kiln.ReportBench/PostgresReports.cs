using System.Diagnostics;
using Npgsql;

namespace Kiln.ReportBench;

/// <summary>
/// The P6 run's PostgreSQL side: a fresh database on a server (the in-process Kiln server migrates it at
/// start, as <c>kiln serve</c> does), VACUUM ANALYZE after the fill, sizes, settings and plans, and the
/// drop at the end.
/// </summary>
public static class PostgresReports
{
    private static readonly string[] ReportedSettings = ["server_version", "fsync", "synchronous_commit", "full_page_writes", "shared_buffers", "work_mem", "effective_cache_size", "random_page_cost", "max_parallel_workers_per_gather", "jit"];

    /// <summary>Creates an empty database on <paramref name="server"/>; returns its connection string.</summary>
    public static async Task<string> CreateDatabaseAsync(string server)
    {
        var name = "kiln_p6_" + Guid.NewGuid().ToString("N")[..12];
        await using var connection = new NpgsqlConnection(server);
        await connection.OpenAsync();
        await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
        await create.ExecuteNonQueryAsync();
        return new NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString;
    }

    public static async Task DropDatabaseAsync(string server, string connectionString)
    {
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(server);
        await connection.OpenAsync();
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database;
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", connection);
        await drop.ExecuteNonQueryAsync();
    }

    /// <summary>What a bulk load leaves to autovacuum, done at once: dead tuples removed, the visibility map set (index-only scans), statistics for the planner.</summary>
    public static async Task<TimeSpan> VacuumAnalyzeAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var clock = Stopwatch.StartNew();
        // One statement per command: VACUUM refuses to run inside the implicit transaction of a multi-statement batch.
        foreach (var table in new[] { "prediction_requests", "prediction_labels", "profile_sketches" })
        {
            await using var vacuum = new NpgsqlCommand($"VACUUM ANALYZE {table}", connection) { CommandTimeout = 0 };
            await vacuum.ExecuteNonQueryAsync();
        }

        return clock.Elapsed;
    }

    /// <summary>The prediction log's size (table, then indexes) and the settings that bear on the reports' reads.</summary>
    public static async Task<string> DescribeAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var size = new NpgsqlCommand(
            """
            SELECT pg_table_size('prediction_requests') + pg_table_size('prediction_labels'), pg_indexes_size('prediction_requests') + pg_indexes_size('prediction_labels'), pg_database_size(current_database()),
                   (SELECT string_agg(indexrelname || ' ' || pg_size_pretty(pg_relation_size(indexrelid)), ', ' ORDER BY indexrelname) FROM pg_stat_user_indexes WHERE relname IN ('prediction_requests', 'prediction_labels'))
            """,
            connection);
        string sizes;
        await using (var reader = await size.ExecuteReaderAsync())
        {
            await reader.ReadAsync();
            sizes = $"log (requests + labels) {reader.GetInt64(0) / 1e6:0} MB + indexes {reader.GetInt64(1) / 1e6:0} MB ({reader.GetString(3)}), database {reader.GetInt64(2) / 1e6:0} MB";
        }

        await using var show = new NpgsqlCommand("SELECT name, current_setting(name) FROM pg_settings WHERE name = ANY(@names)", connection);
        show.Parameters.AddWithValue("names", ReportedSettings);
        var values = new Dictionary<string, string>();
        await using (var reader = await show.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                values[reader.GetString(0)] = reader.GetString(1).Split(' ')[0];
            }
        }

        return $"{sizes}; settings {string.Join(", ", ReportedSettings.Where(values.ContainsKey).Select(n => $"{n}={values[n]}"))}";
    }

    /// <summary>EXPLAIN (ANALYZE, BUFFERS) of the two quality queries PostgresGroundTruth runs for a binary model with 1 h windows (same SQL).</summary>
    public static async Task PlanAsync(string connectionString, string deployment, DateTimeOffset since, DateTimeOffset until)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        foreach (var sql in new[]
        {
            "SELECT ts, labelled_at, version, score, coalesce(prediction = positive_label, false)::int | (coalesce(label = positive_label, false)::int << 1) FROM prediction_labels WHERE deployment = @deployment AND ts >= @since AND ts < @until ORDER BY ts",
            """
            SELECT w.start, t.n, t.lo, t.hi, (SELECT COUNT(*) FROM prediction_labels
                WHERE deployment = @deployment AND ts >= greatest(w.start, @since) AND ts < least(w.start + @size, @until))
            FROM generate_series(@first, @until - 1, @size) AS w(start)
            CROSS JOIN LATERAL (SELECT sum(row_count) AS n, MIN(version) AS lo, MAX(version) AS hi FROM prediction_requests
                WHERE deployment = @deployment AND ts >= greatest(w.start, @since) AND ts < least(w.start + @size, @until)) t
            WHERE t.n > 0 ORDER BY 1
            """,
        })
        {
            await using var explain = new NpgsqlCommand("EXPLAIN (ANALYZE, BUFFERS) " + sql, connection);
            explain.Parameters.AddWithValue("deployment", deployment);
            explain.Parameters.AddWithValue("since", since.ToUnixTimeMilliseconds());
            explain.Parameters.AddWithValue("until", until.ToUnixTimeMilliseconds());
            explain.Parameters.AddWithValue("size", 3_600_000L);
            explain.Parameters.AddWithValue("first", since.ToUnixTimeMilliseconds() / 3_600_000L * 3_600_000L);
            Console.WriteLine($"# plan of {sql.Trim()[..Math.Min(60, sql.Trim().Length)]}...");
            await using var reader = await explain.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                Console.WriteLine("#   " + reader.GetString(0));
            }
        }
    }

    /// <summary>The harness's rows span whole minutes: [first row's minute, last row's minute + 1).</summary>
    public static async Task<(DateTimeOffset, DateTimeOffset)> LoggedRangeAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var range = new NpgsqlCommand("SELECT MIN(ts), MAX(ts) FROM prediction_requests WHERE deployment = 'gbt' AND request_id LIKE 'p6-%'", connection);
        await using var reader = await range.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(0)), DateTimeOffset.FromUnixTimeMilliseconds((reader.GetInt64(1) / 60_000 * 60_000) + 60_000));
    }
}
