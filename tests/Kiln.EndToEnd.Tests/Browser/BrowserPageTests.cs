using Xunit.Sdk;

namespace Kiln.EndToEnd.Tests.Browser;

/// <summary>
/// The page helper itself, on pages Playwright serves from memory for a made-up origin, so the dashboard's tests can
/// trust it before the dashboard exists.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class BrowserPageTests(BrowserFixture browser)
{
    private static readonly Uri Origin = new("http://dashboard.test/");

    [ChromiumFact]
    public async Task AssertNoErrors_BrokenPage_ListsConsoleErrorScriptErrorAnd404()
    {
        await using var page = await OpenAsync(new()
        {
            ["/"] = (200, """<script>console.error("boom"); fetch("/missing"); setTimeout(() => { throw new Error("uncaught"); });</script>"""),
        });

        await page.GotoAsync("/");
        await page.Page.WaitForTimeoutAsync(200);

        var failure = await Assert.ThrowsAsync<XunitException>(page.AssertNoErrorsAsync);
        Assert.Contains("console error: boom", failure.Message, StringComparison.Ordinal);
        Assert.Contains("uncaught", failure.Message, StringComparison.Ordinal);
        Assert.Contains("HTTP 404: GET http://dashboard.test/missing", failure.Message, StringComparison.Ordinal);
    }

    [ChromiumFact]
    public async Task AssertNoErrors_ExpectedPathAnswers401_PassesAndSignInReachesNextPage()
    {
        await using var page = await OpenAsync(new()
        {
            ["/login"] = (200, """<form method="post" action="/session"><label>API key <input name="key"></label><button>Sign in</button></form><script>fetch("/api/me")</script>"""),
            ["/session"] = (200, "<h1> Welcome </h1>"),
            ["/api/me"] = (401, ""),
        });
        page.Expect("/api/me");

        await page.SignInAsync("/login", "API key", "kiln_secret");

        Assert.Equal("Welcome", await page.TextAsync("h1"));
        Assert.EndsWith("/session", page.Page.Url, StringComparison.Ordinal);
        await page.AssertNoErrorsAsync();
    }

    [ChromiumFact]
    public async Task TabOrder_LinksAndButtons_VisitsEachOnceInDocumentOrder()
    {
        await using var page = await OpenAsync(new()
        {
            ["/"] = (200, """<nav><a href="/models">Models</a> <a href="/runs"><img alt="Runs" src="data:,"></a></nav><button aria-label="Refresh">⟳</button>"""),
        });
        await page.GotoAsync("/");

        var stops = await page.TabOrderAsync();

        Assert.Equal([new("a", "link", "Models"), new("a", "link", "Runs"), new("button", "button", "Refresh")], stops);
        await page.AssertNoErrorsAsync();
    }

    [ChromiumFact]
    public async Task UnreachableByKeyboard_LinkOutOfTabOrder_IsReportedButHiddenAndDisabledAreNot()
    {
        await using var page = await OpenAsync(new()
        {
            ["/"] = (200, """<a href="/a">Reachable</a> <a href="/b" tabindex="-1">Mouse only</a> <button disabled>Disabled</button> <button hidden>Hidden</button> <div tabindex="0" role="button">Custom</div>"""),
        });
        await page.GotoAsync("/");

        var unreachable = await page.UnreachableByKeyboardAsync();

        Assert.Equal([new FocusStop("a", "link", "Mouse only")], unreachable);
    }

    /// <summary>A page whose requests to <see cref="Origin"/> are answered from <paramref name="pages"/> (404 for anything else).</summary>
    private async Task<BrowserPage> OpenAsync(Dictionary<string, (int Status, string Html)> pages)
    {
        var page = await browser.OpenAsync(Origin);
        await page.Page.RouteAsync($"{Origin}**", route =>
        {
            var path = new Uri(route.Request.Url).AbsolutePath;
            var (status, html) = pages.TryGetValue(path, out var found) ? found : (404, "not found");
            return route.FulfillAsync(new() { Status = status, ContentType = "text/html; charset=utf-8", Body = html });
        });
        return page;
    }
}
