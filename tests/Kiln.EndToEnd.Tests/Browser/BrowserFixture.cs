using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Kiln.EndToEnd.Tests.Browser;

/// <summary>One Playwright driver and one headless Chromium shared by every browser test; each test gets its own context.</summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public IBrowser Browser => _browser
        ?? throw new InvalidOperationException($"No browser: {TestBrowser.Missing}. Run ./test.sh, which installs Debian's chromium and sets {TestBrowser.Variable}.");

    /// <summary>A fresh context and page against <paramref name="baseUrl"/> that records every error it sees.</summary>
    public Task<BrowserPage> OpenAsync(Uri baseUrl, ITestOutputHelper? output = null, bool javaScript = true) => BrowserPage.OpenAsync(Browser, baseUrl, output, javaScript);

    public async Task InitializeAsync()
    {
        // A missing browser is not the fixture's failure: the gate skips the tests, or under CI=true they fail on Browser.
        if (TestBrowser.Missing is not null)
        {
            return;
        }

        _playwright = await Playwright.CreateAsync();
        // Playwright adds --no-sandbox itself (chromiumSandbox defaults to false), which Chromium needs when run as root.
        _browser = await _playwright.Chromium.LaunchAsync(new() { ExecutablePath = TestBrowser.Chromium, Headless = true });
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        _playwright?.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<BrowserFixture>
{
    public const string Name = "Browser";
}
