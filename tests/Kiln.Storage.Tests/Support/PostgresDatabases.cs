using Npgsql;

namespace Kiln.Storage.Tests.Support;

/// <summary>Creates and drops databases on the test PostgreSQL server (<see cref="TestServers.Postgres"/>); linked into every test project that needs one.</summary>
public static class PostgresDatabases
{
    private static string Server => TestServers.Postgres
        ?? throw new InvalidOperationException("KILN_TEST_POSTGRES is not set: there is no PostgreSQL server to test against (./test.sh starts one).");

    /// <summary>Creates database <paramref name="name"/> (a fresh unique one when null) unless it exists; returns its connection string.</summary>
    public static string Create(string? name = null)
    {
        name ??= "kiln_test_" + Guid.NewGuid().ToString("N");
        using var connection = new NpgsqlConnection(Server);
        connection.Open();
        using (var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = @name", connection) { Parameters = { new("name", name) } })
        {
            if (exists.ExecuteScalar() is null)
            {
                using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
                create.ExecuteNonQuery();
            }
        }

        return new NpgsqlConnectionStringBuilder(Server) { Database = name }.ConnectionString;
    }

    /// <summary>Drops the database of <paramref name="connectionString"/>, closing what is still connected to it.</summary>
    public static void Drop(string connectionString)
    {
        NpgsqlConnection.ClearAllPools();
        using var connection = new NpgsqlConnection(Server);
        connection.Open();
        using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{new NpgsqlConnectionStringBuilder(connectionString).Database}\" WITH (FORCE)", connection);
        drop.ExecuteNonQuery();
    }
}
