using Kiln.Storage.Tests.Support;

namespace Kiln.EndToEnd.Tests.Browser;

/// <summary>
/// The browser the dashboard tests drive: Debian's <c>chromium</c>, which <c>test.sh</c> installs and names in
/// <c>KILN_TEST_CHROMIUM</c>. Playwright never downloads a browser here; it launches this executable.
/// </summary>
public static class TestBrowser
{
    public const string Variable = "KILN_TEST_CHROMIUM";

    public static string? Chromium => Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } value ? value : null;

    /// <summary>Why Chromium cannot be launched, or null when it can.</summary>
    public static string? Missing => Chromium switch
    {
        null => $"{Variable} is not set",
        var path when !File.Exists(path) => $"{Variable}={path} does not exist",
        _ => null,
    };

    internal static string? SkipReason => Missing is { } missing && !TestServers.InCi
        ? $"SKIPPED: {missing}, so there is no browser to test with. Run ./test.sh, which installs Debian's chromium and sets it (under CI=true this test fails instead)."
        : null;
}

/// <summary>A fact that drives Chromium: skipped with the reason when it is missing, except under <c>CI=true</c>, where it runs and fails.</summary>
public sealed class ChromiumFactAttribute : FactAttribute
{
    public ChromiumFactAttribute() => Skip = TestBrowser.SkipReason;
}
