using Kiln.Storage.Tests.Support;
using Npgsql;

namespace Kiln.Server.Tests.Support;

/// <summary>
/// The backend the functional suite runs on. <c>test.sh</c> runs the suite twice: on the default (SQLite
/// files and a local artifact folder), then with <c>KILN_TEST_BACKEND=postgresql</c>, where every
/// <see cref="KilnAppFactory"/> gets a fresh database of its own on the PostgreSQL server named by
/// <c>KILN_TEST_POSTGRES</c>.
/// </summary>
public static class TestBackend
{
    public static bool IsPostgres => string.Equals(Environment.GetEnvironmentVariable("KILN_TEST_BACKEND"), "postgresql", StringComparison.OrdinalIgnoreCase);

    /// <summary>The database of the server whose data folder is <paramref name="dataDir"/>, created if new: a restarted server finds its data again.</summary>
    public static string DatabaseFor(string dataDir)
    {
        var name = "kiln_test_" + new string(Path.GetFileName(Path.TrimEndingDirectorySeparator(dataDir)).Where(char.IsAsciiLetterOrDigit).ToArray()).ToLowerInvariant();
        return PostgresDatabases.Create(name);
    }

    /// <summary>The bucket every test server of the PostgreSQL pass keeps its artifacts in, each under a prefix of its own.</summary>
    public const string Bucket = "kiln-test-backend";

    private static readonly Lazy<bool> BucketCreated = new(() =>
    {
        using var s3 = S3TestServer.CreateClient();
        try
        {
            s3.PutBucketAsync(Bucket).GetAwaiter().GetResult();
        }
        catch (Amazon.S3.AmazonS3Exception e) when (e.ErrorCode is "BucketAlreadyOwnedByYou" or "BucketAlreadyExists")
        {
            // Made by an earlier run against the same server.
        }

        return true;
    });

    /// <summary>The settings that put the artifacts of the server with data folder <paramref name="dataDir"/> on the test S3 server (a restarted server finds them again).</summary>
    public static Dictionary<string, string?> ArtifactsFor(string dataDir)
    {
        if (S3TestServer.Endpoint is null)
        {
            throw new InvalidOperationException("KILN_TEST_BACKEND=postgresql puts artifacts on S3 and needs KILN_TEST_S3 (./test.sh starts a server).");
        }

        _ = BucketCreated.Value;
        return S3TestServer.Settings(Bucket, Path.GetFileName(Path.TrimEndingDirectorySeparator(dataDir)));
    }

    /// <summary>Drops a test database, closing what is still connected to it.</summary>
    public static void Drop(string connectionString) => PostgresDatabases.Drop(connectionString);

    /// <summary>Every row of every table in the database, as text: for asserting that a secret is stored nowhere.</summary>
    public static string Dump(string connectionString)
    {
        using var connection = new NpgsqlConnection(connectionString);
        connection.Open();
        var tables = new List<string>();
        using (var list = new NpgsqlCommand("SELECT tablename FROM pg_tables WHERE schemaname = 'public'", connection))
        using (var reader = list.ExecuteReader())
        {
            while (reader.Read())
            {
                tables.Add(reader.GetString(0));
            }
        }

        var text = new System.Text.StringBuilder();
        foreach (var table in tables)
        {
            using var rows = new NpgsqlCommand($"SELECT coalesce(string_agg(t::text, E'\\n'), '') FROM \"{table}\" t", connection);
            text.AppendLine((string)rows.ExecuteScalar()!);
        }

        return text.ToString();
    }
}
