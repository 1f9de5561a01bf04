namespace Kiln.EndToEnd.Tests;

/// <summary>
/// The S3-compatible server test.sh starts (<c>KILN_TEST_S3</c>, its endpoint URL). Without it an
/// <see cref="S3FactAttribute"/> test is skipped with the reason, except under <c>CI=true</c>, where it
/// runs and fails: CI never skips. (Kiln.Storage.Tests and Kiln.Server.Tests have the same gate.)
/// </summary>
internal static class S3TestServer
{
    public static string? Endpoint => Environment.GetEnvironmentVariable("KILN_TEST_S3") is { Length: > 0 } value ? value.TrimEnd('/') : null;

    internal static string? SkipReason =>
        Endpoint is null && !string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase)
            ? "SKIPPED: KILN_TEST_S3 is not set, so there is no S3 server to test against. Run ./test.sh, which starts one (under CI=true this test fails instead)."
            : null;
}

/// <summary>A fact that needs the test S3-compatible server.</summary>
public sealed class S3FactAttribute : FactAttribute
{
    public S3FactAttribute() => Skip = S3TestServer.SkipReason;
}
