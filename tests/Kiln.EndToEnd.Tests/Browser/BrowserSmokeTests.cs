using Xunit.Abstractions;

namespace Kiln.EndToEnd.Tests.Browser;

/// <summary>The browser stack end to end: the real <c>kiln serve</c>, Debian's Chromium through Playwright, a page, a screenshot.</summary>
[Collection(BrowserCollection.Name)]
public sealed class BrowserSmokeTests(BrowserFixture browser, ITestOutputHelper output) : IDisposable
{
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "kiln-e2e", Guid.NewGuid().ToString("N"));

    // Not "/" yet: it redirects to Scalar's /docs, which loads its font from https://fonts.scalar.com and so logs a
    // console error on a machine without internet. Not /openapi/v1.json either: its 6,000 lines make a full-page
    // screenshot ~100,000 pixels tall, which takes Chromium over 30 seconds. Liveness is Kiln's own and small.
    [ChromiumFact]
    public async Task HealthLive_InChromium_ShowsLiveWithoutErrors()
    {
        await using var server = await KilnProcess.StartServerAsync(_dataDir, new Dictionary<string, string> { ["KILN_AUTH_ENABLED"] = "false" });
        await using var page = await browser.OpenAsync(server.Url, output);
        // Chromium asks every origin for /favicon.ico, and JSON has no <link rel="icon"> to say otherwise.
        page.Expect("/favicon.ico");

        await page.GotoAsync("/health/live");

        Assert.Contains("\"status\":\"live\"", await page.TextAsync("body"), StringComparison.Ordinal);
        await page.SaveScreenshotAsync("smoke");
        await page.AssertNoErrorsAsync();
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dataDir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
