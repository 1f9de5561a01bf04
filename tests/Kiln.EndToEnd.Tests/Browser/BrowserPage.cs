using Microsoft.Playwright;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace Kiln.EndToEnd.Tests.Browser;

/// <summary>
/// One test's page in its own browser context. It records what a user would not see but a broken page shows:
/// console errors, uncaught script errors, and same-origin requests that fail or answer 400 or more, unless the
/// test declared them with <see cref="Expect"/>. <see cref="AssertNoErrorsAsync"/> fails the test listing them;
/// disposing checks again, so a test that forgets the call still fails (call it explicitly: an exception thrown
/// while disposing replaces the one that ended the test).
/// </summary>
public sealed class BrowserPage : IAsyncDisposable
{
    private readonly IBrowserContext _context;
    private readonly Uri _baseUrl;
    private readonly ITestOutputHelper? _output;
    private readonly List<string> _errors = [];
    private readonly HashSet<string> _expectedPaths = new(StringComparer.Ordinal);
    private int _reported;

    private BrowserPage(IBrowserContext context, IPage page, Uri baseUrl, ITestOutputHelper? output)
    {
        _context = context;
        Page = page;
        _baseUrl = baseUrl;
        _output = output;
        page.Console += (_, message) =>
        {
            // A failed load is also logged as a console error located at the resource: expected paths cover both.
            if (message.Type == "error" && !IsExpected(WithoutLineAndColumn(message.Location)))
            {
                Record($"console error: {message.Text} (at {message.Location})");
            }
        };
        page.PageError += (_, error) => Record($"page error: {error}");
        page.RequestFailed += (_, request) =>
        {
            // net::ERR_ABORTED is the browser cancelling a request the page no longer needs (it navigated away), not a fault.
            if (IsSameOrigin(request.Url) && !IsExpected(request.Url) && request.Failure != "net::ERR_ABORTED")
            {
                Record($"request failed: {request.Method} {request.Url}: {request.Failure}");
            }
        };
        page.Response += (_, response) =>
        {
            if (response.Status >= 400 && IsSameOrigin(response.Url) && !IsExpected(response.Url))
            {
                Record($"HTTP {response.Status}: {response.Request.Method} {response.Url}");
            }
        };
    }

    /// <summary>The Playwright page, for everything the helpers here do not cover.</summary>
    public IPage Page { get; }

    internal static async Task<BrowserPage> OpenAsync(IBrowser browser, Uri baseUrl, ITestOutputHelper? output, bool javaScript = true)
    {
        var context = await browser.NewContextAsync(new() { BaseURL = baseUrl.ToString(), ViewportSize = new() { Width = 1280, Height = 800 }, JavaScriptEnabled = javaScript });

        // The dashboard shares the 2 cores with the quickstart it shows (training, simulated traffic) and with the other
        // test suites; under that load a page once took longer than Playwright's default 30 s to load in CI.
        context.SetDefaultTimeout(60_000);
        context.SetDefaultNavigationTimeout(60_000);
        return new BrowserPage(context, await context.NewPageAsync(), baseUrl, output);
    }

    /// <summary>Declares that requests to <paramref name="path"/> (for example "/login") may fail or answer 400 or more in this test.</summary>
    public BrowserPage Expect(string path)
    {
        lock (_errors)
        {
            _expectedPaths.Add(path);
        }

        return this;
    }

    /// <summary>Opens <paramref name="path"/> relative to the base URL and waits for the load event.</summary>
    public async Task GotoAsync(string path) => await Page.GotoAsync(path);

    /// <summary>The visible text of the first element matching <paramref name="selector"/> (CSS or any Playwright selector), trimmed.</summary>
    public async Task<string> TextAsync(string selector) => (await Page.Locator(selector).First.InnerTextAsync()).Trim();

    /// <summary>Signs in as a user would: opens <paramref name="path"/>, types <paramref name="value"/> into the field labelled
    /// <paramref name="label"/>, presses the button named <paramref name="button"/> and waits for the page it leads to.</summary>
    public async Task SignInAsync(string path, string label, string value, string button = "Sign in")
    {
        await GotoAsync(path);
        await Page.GetByLabel(label).FillAsync(value);
        await Page.GetByRole(AriaRole.Button, new() { Name = button }).ClickAsync();
        await Page.WaitForLoadStateAsync(LoadState.Load);
    }

    /// <summary>Saves a full-page screenshot as <c>name.png</c> in <see cref="Screenshots.Folder"/>; returns its path.</summary>
    public async Task<string> SaveScreenshotAsync(string name)
    {
        var path = Screenshots.PathFor(name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await Page.ScreenshotAsync(new() { Path = path, FullPage = true });
        _output?.WriteLine($"screenshot: {path}");
        return path;
    }

    /// <summary>Fails the test listing every error recorded since the page opened (or since the last call).</summary>
    public async Task AssertNoErrorsAsync()
    {
        // A round trip to the page lets the driver deliver the events that were already on their way.
        if (!Page.IsClosed)
        {
            await Page.EvaluateAsync("0");
        }

        string[] errors;
        lock (_errors)
        {
            errors = [.. _errors.Skip(_reported)];
            _reported = _errors.Count;
        }

        if (errors.Length > 0)
        {
            throw new XunitException($"The page at {Page.Url} reported {errors.Length} error(s):\n  " + string.Join("\n  ", errors));
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await AssertNoErrorsAsync();
        }
        finally
        {
            await _context.CloseAsync();
        }
    }

    private bool IsSameOrigin(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && Uri.Compare(uri, _baseUrl, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0;

    private bool IsExpected(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            return false;
        }

        lock (_errors)
        {
            return _expectedPaths.Contains(uri.AbsolutePath);
        }
    }

    /// <summary>A console location is <c>URL:line:column</c>.</summary>
    private static string WithoutLineAndColumn(string location)
    {
        for (var i = 0; i < 2; i++)
        {
            var colon = location.LastIndexOf(':');
            if (colon < 0 || !int.TryParse(location.AsSpan(colon + 1), out _))
            {
                break;
            }

            location = location[..colon];
        }

        return location;
    }

    private void Record(string error)
    {
        lock (_errors)
        {
            _errors.Add(error);
        }

        try
        {
            _output?.WriteLine(error);
        }
        catch (InvalidOperationException)
        {
            // The page's events can outlive its test (a request failing as the browser context closes), and xunit refuses
            // output then. Throwing here would break Playwright's connection and fail every later browser test with it.
        }
    }
}
