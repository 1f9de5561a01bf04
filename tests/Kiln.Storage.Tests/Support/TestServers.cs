namespace Kiln.Storage.Tests.Support;

/// <summary>
/// The real servers the storage tests run against, as <c>test.sh</c> started them: <c>KILN_TEST_POSTGRES</c>
/// (an Npgsql connection string of a user that may create databases) and <c>KILN_TEST_S3</c> (an S3-compatible
/// endpoint URL). A test that needs a missing server is skipped with the reason, except under <c>CI=true</c>,
/// where it runs and fails: CI never skips.
/// </summary>
public static class TestServers
{
    public static string? Postgres => Environment.GetEnvironmentVariable("KILN_TEST_POSTGRES") is { Length: > 0 } value ? value : null;

    public static string? S3 => Environment.GetEnvironmentVariable("KILN_TEST_S3") is { Length: > 0 } value ? value : null;

    public static bool InCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    internal static string? SkipReason(string? server, string variable) =>
        server is null && !InCi
            ? $"SKIPPED: {variable} is not set, so there is no server to test against. Run ./test.sh, which starts one (under CI=true this test fails instead)."
            : null;
}

/// <summary>A fact that needs the test PostgreSQL server.</summary>
public sealed class PostgresFactAttribute : FactAttribute
{
    public PostgresFactAttribute() => Skip = TestServers.SkipReason(TestServers.Postgres, "KILN_TEST_POSTGRES");
}

/// <summary>A fact that needs the test S3-compatible server.</summary>
public sealed class S3FactAttribute : FactAttribute
{
    public S3FactAttribute() => Skip = TestServers.SkipReason(TestServers.S3, "KILN_TEST_S3");
}
