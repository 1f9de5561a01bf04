using Kiln.Core;
using Kiln.Storage.PostgreSql;
using Npgsql;

namespace Kiln.Storage.Tests.PostgreSql;

public sealed class PostgresConnectionStringTests
{
    [Fact]
    public void Parse_Uri_ReadsUserPasswordHostPortDatabaseAndParameters()
    {
        var parsed = new NpgsqlConnectionStringBuilder(PostgresConnectionString.Parse("postgresql://kiln:s%40cret@db.example:6543/kiln_prod?sslmode=require&application_name=kiln-a"));

        Assert.Equal(("db.example", 6543, "kiln", "s@cret", "kiln_prod"), (parsed.Host, parsed.Port, parsed.Username, parsed.Password, parsed.Database));
        Assert.Equal(SslMode.Require, parsed.SslMode);
        Assert.Equal("kiln-a", parsed.ApplicationName);
    }

    [Fact]
    public void Parse_PostgresSchemeWithoutPortOrPassword_UsesDefaults()
    {
        var parsed = new NpgsqlConnectionStringBuilder(PostgresConnectionString.Parse("postgres://kiln@localhost/kiln"));

        Assert.Equal(("localhost", 5432, "kiln", null, "kiln"), (parsed.Host, parsed.Port, parsed.Username, parsed.Password, parsed.Database));
    }

    [Fact]
    public void Parse_NpgsqlConnectionString_IsKept()
    {
        var parsed = new NpgsqlConnectionStringBuilder(PostgresConnectionString.Parse("Host=127.0.0.1;Port=55432;Username=kiln;Database=team"));

        Assert.Equal(("127.0.0.1", 55432, "team"), (parsed.Host, parsed.Port, parsed.Database));
    }

    [Theory]
    [InlineData("postgresql://kiln@localhost", "names no database")]
    [InlineData("postgresql://kiln@localhost/kiln?nonsense=1", "nonsense=1")]
    [InlineData("Host=localhost;Bogus Key=1", "not a valid Npgsql connection string")]
    [InlineData("Username=kiln;Database=kiln", "names no PostgreSQL host")]
    public void Parse_Malformed_SaysWhatIsWrong(string setting, string problem)
    {
        var error = Assert.Throws<KilnException>(() => PostgresConnectionString.Parse(setting));

        Assert.StartsWith("database: ", error.Message, StringComparison.Ordinal);
        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Redact_HidesThePassword()
    {
        var redacted = PostgresConnectionString.Redact(PostgresConnectionString.Parse("postgresql://kiln:hunter2hunter2@db/kiln"));

        Assert.DoesNotContain("hunter2", redacted, StringComparison.Ordinal);
        Assert.Contains("****", redacted, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("postgresql://h/d", true)]
    [InlineData("POSTGRES://h/d", true)]
    [InlineData("Host=h;Database=d", true)]
    [InlineData("/var/lib/kiln/kiln.db", false)]
    [InlineData("mysql://h/d", false)]
    public void IsPostgres_RecognisesBothForms(string setting, bool expected) =>
        Assert.Equal(expected, PostgresConnectionString.IsPostgres(setting));
}
