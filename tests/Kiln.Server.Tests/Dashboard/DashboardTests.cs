using System.Net;
using Kiln.Server.Tests.Support;

namespace Kiln.Server.Tests.Dashboard;

/// <summary>The dashboard over HTTP: sign-in and its cookie, role-gated actions, every page, and the API's numbers on the pages.</summary>
public class DashboardTests(DashboardFixture fixture) : IClassFixture<DashboardFixture>
{
    public static TheoryData<string> Pages => new()
    {
        "/", "/deployments", "/deployments/gbt", "/deployments/gbt/monitoring", "/deployments/gbt/monitoring?range=1d&window=1h",
        "/runs", "/runs?order=metrics.loss%20ASC", "/models", "/models/gbt", "/models/gbt/versions/1", "/alerts", "/keys", "/pipelines",
    };

    [Fact]
    public async Task Page_WithoutSession_RedirectsToSignInAndBack()
    {
        using var browser = new DashboardClient(fixture.Factory);

        var (status, _, response) = await browser.GetAsync("/deployments/gbt?x=1");

        Assert.Equal(HttpStatusCode.Redirect, status);
        Assert.Equal("/sign-in?returnUrl=%2Fdeployments%2Fgbt%3Fx%3D1", response.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task SignIn_WithAValidKey_SetsAnHttpOnlyStrictCookieAndReturns()
    {
        using var browser = new DashboardClient(fixture.Factory);

        using var signedIn = await browser.SignInAsync(fixture.ViewerKey, "/models");

        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        Assert.Equal("/models", Target(signedIn));
        var cookie = signedIn.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("kiln_session=", StringComparison.Ordinal));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(fixture.ViewerKey, cookie, StringComparison.Ordinal);
        var (status, page, _) = await browser.GetAsync("/models");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("gbt", DashboardClient.Text(page, "#models tbody th a"));
    }

    [Theory]
    [InlineData("/sign-in")]
    [InlineData("/")]
    [InlineData("/deployments/gbt")]
    public async Task Pages_CannotBeFramedAndLoadOnlyThisServersScripts(string path)
    {
        using var browser = new DashboardClient(fixture.Factory);
        await browser.SignInAsync(fixture.ViewerKey);

        var (_, _, response) = await browser.GetAsync(path);

        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
        var policy = response.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("frame-ancestors 'none'", policy, StringComparison.Ordinal);
        Assert.Contains("script-src 'self';", policy, StringComparison.Ordinal);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
    }

    [Fact]
    public async Task SignIn_WithAWrongKey_Is401WithAMessageAndNoCookie()
    {
        using var browser = new DashboardClient(fixture.Factory);

        using var response = await browser.SignInAsync("kiln_not_a_real_key");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.False(response.Headers.TryGetValues("Set-Cookie", out var cookies) && cookies.Any(c => c.StartsWith("kiln_session=", StringComparison.Ordinal)));
        Assert.Contains("not valid", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SignIn_WithAKeyLimitedToDeployments_IsRefused()
    {
        using var admin = fixture.Factory.CreateKilnClient();
        var scoped = await admin.CreateKeyAsync(new Kiln.Core.Api.CreateApiKeyRequest("gbt-only", Kiln.Core.Security.KilnRole.Deployer, ["gbt"]));
        using var browser = new DashboardClient(fixture.Factory);

        using var response = await browser.SignInAsync(scoped.Key);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("limited to some deployments", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("//evil.example/x")]
    [InlineData("https://evil.example/")]
    [InlineData("/\\evil.example")]
    public async Task SignIn_NeverRedirectsOffSite(string returnUrl)
    {
        using var browser = new DashboardClient(fixture.Factory);

        using var response = await browser.SignInAsync(fixture.ViewerKey, returnUrl);

        Assert.Equal("/", Target(response));
    }

    [Fact]
    public async Task SignIn_WithoutTheAntiforgeryToken_IsRefused()
    {
        using var browser = new DashboardClient(fixture.Factory);

        using var response = await browser.PostAsync("/sign-in", "sign-in", token: null, new() { ["Key"] = fixture.ViewerKey });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.False(response.Headers.Contains("Set-Cookie") && response.Headers.GetValues("Set-Cookie").Any(c => c.StartsWith("kiln_session=", StringComparison.Ordinal)));
    }

    [Theory]
    [MemberData(nameof(Pages))]
    public async Task EveryPage_RendersForAViewer(string path)
    {
        using var browser = new DashboardClient(fixture.Factory);
        await browser.SignInAsync(fixture.ViewerKey);

        var (status, page, _) = await browser.GetAsync(path);

        // The keys page is for admins: a viewer gets the page with a 403 and no form.
        Assert.Equal(path == "/keys" ? HttpStatusCode.Forbidden : HttpStatusCode.OK, status);
        Assert.NotNull(page.QuerySelector("nav[aria-label=Sections]"));
        Assert.Contains("Kiln", page.Title, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/deployments/nope")]
    [InlineData("/deployments/nope/monitoring")]
    [InlineData("/models/nope")]
    [InlineData("/models/gbt/versions/99")]
    [InlineData("/runs/nope")]
    public async Task MissingThings_Are404Pages(string path)
    {
        using var browser = new DashboardClient(fixture.Factory);
        await browser.SignInAsync(fixture.ViewerKey);

        var (status, page, _) = await browser.GetAsync(path);

        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal("Not found", DashboardClient.Text(page, "h1"));
    }

    [Fact]
    public async Task RunsFilter_WithBadSyntax_Is400WithTheParsersMessage()
    {
        using var browser = new DashboardClient(fixture.Factory);
        await browser.SignInAsync(fixture.ViewerKey);

        var (status, page, _) = await browser.GetAsync("/runs?filter=" + Uri.EscapeDataString("metrics.loss >>> 1"));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("filter", DashboardClient.Text(page, "[role=alert]"), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Viewer_SeesNoActions_AndAForgedActionIsRefused()
    {
        using var browser = new DashboardClient(fixture.Factory);
        await browser.SignInAsync(fixture.ViewerKey);
        using var api = fixture.Factory.CreateHttpClient();
        var before = (await (await api.GetAsync("/api/deployments/gbt")).ReadJsonAsync()).GetProperty("deployment").GetProperty("revision").GetInt32();

        var (_, page, _) = await browser.GetAsync("/deployments/gbt");
        Assert.Empty(page.QuerySelectorAll("input[name=_handler][value=traffic]"));
        Assert.Empty(page.QuerySelectorAll("input[name=_handler][value^=rollback]"));
        // The sign-out form gives the viewer a valid antiforgery token: the refusal must come from the role check.
        using var forged = await browser.PostAsync("/deployments/gbt", "traffic", DashboardClient.Token(page), new() { ["TrafficForm.Weights[1]"] = "100" });

        // The page renders no such form for a viewer, so the framework refuses the post before any handler runs.
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        var after = (await (await api.GetAsync("/api/deployments/gbt")).ReadJsonAsync()).GetProperty("deployment").GetProperty("revision").GetInt32();
        Assert.Equal(before, after);
    }

    [Fact]
    public async Task Deployer_RollsBackFromTheRevisionHistory()
    {
        using var api = fixture.Factory.CreateKilnClient();
        await api.DeployAsync("rolling", "gbt/1");
        await api.SetShadowAsync("rolling", "gbt/1", 0.5);
        using var browser = new DashboardClient(fixture.Factory);
        await browser.SignInAsync(fixture.DeployerKey);
        var (_, page, _) = await browser.GetAsync("/deployments/rolling");

        using var response = await browser.SubmitAsync("/deployments/rolling", page, "rollback-1", []);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var history = await api.GetHistoryAsync("rolling");
        Assert.Equal("rollback", history[0].Change);
        Assert.Equal("dashboard-deployer", history[0].Actor);
        Assert.DoesNotContain(history[0].Variants, v => v.Role == Kiln.Core.Deployments.VariantRole.Shadow);
    }

    [Fact]
    public async Task Deployer_BadWeights_Get400AndTheReason()
    {
        using var browser = new DashboardClient(fixture.Factory);
        await browser.SignInAsync(fixture.DeployerKey);
        var (_, page, _) = await browser.GetAsync("/deployments/gbt");

        using var response = await browser.SubmitAsync("/deployments/gbt", page, "traffic", new() { ["TrafficForm.Weights[1]"] = "70" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("weights", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RevokedKey_EndsItsDashboardSession()
    {
        using var admin = fixture.Factory.CreateKilnClient();
        var key = await admin.CreateKeyAsync("short-lived", Kiln.Core.Security.KilnRole.Viewer);
        using var browser = new DashboardClient(fixture.Factory);
        await browser.SignInAsync(key.Key);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/")).Status);

        await admin.RevokeKeyAsync(key.Info.Id);

        var (status, _, response) = await browser.GetAsync("/");
        Assert.Equal(HttpStatusCode.Redirect, status);
        Assert.StartsWith("/sign-in", response.Headers.Location?.OriginalString, StringComparison.Ordinal);
    }

    /// <summary>Where a redirect goes on this server (the framework writes absolute URLs): its path and query; anything off this host fails.</summary>
    private static string Target(HttpResponseMessage response)
    {
        var location = response.Headers.Location ?? throw new InvalidOperationException($"No redirect: {(int)response.StatusCode}");
        if (!location.IsAbsoluteUri)
        {
            return location.OriginalString;
        }

        Assert.Equal("localhost", location.Host);
        return location.PathAndQuery;
    }

    [Fact]
    public async Task DeploymentPage_ShowsTheApisTrafficNumbers()
    {
        using var browser = new DashboardClient(fixture.Factory);
        await browser.SignInAsync(fixture.ViewerKey);
        using var api = fixture.Factory.CreateHttpClient();

        var view = await (await api.GetAsync("/api/deployments/gbt")).ReadJsonAsync();
        var (_, page, _) = await browser.GetAsync("/deployments/gbt");

        var requests = view.GetProperty("traffic")[0].GetProperty("requests").GetInt64();
        Assert.True(requests >= 12);
        Assert.Equal(requests.ToString("#,0", System.Globalization.CultureInfo.InvariantCulture), DashboardClient.Text(page, "[data-variant=primary] [data-metric=requests]"));
        Assert.Equal(3, page.QuerySelectorAll("#deployment-live svg.plot").Length);
    }

    [Fact]
    public async Task RunPage_DrawsALongMetricHistoryThinned()
    {
        using var browser = new DashboardClient(fixture.Factory);
        await browser.SignInAsync(fixture.ViewerKey);

        var (status, page, _) = await browser.GetAsync($"/runs/{fixture.RunId}");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("0.0005", DashboardClient.Text(page, "[data-metric=loss]"));
        var caption = DashboardClient.Text(page, "figure.chart figcaption");
        Assert.Contains("2,000 steps, drawn as 500", caption, StringComparison.Ordinal);
        var points = page.QuerySelector("svg.plot polyline.line")!.GetAttribute("points")!.Split(' ');
        Assert.Equal(500, points.Length);
    }

    [Fact]
    public async Task KeysPage_CreatesAKeyShownOnce_AndRevokesIt()
    {
        using var browser = new DashboardClient(fixture.Factory);
        await browser.SignInAsync(KilnAppFactory.AdminKey);
        var (_, page, _) = await browser.GetAsync("/keys");

        using var created = await browser.SubmitAsync("/keys", page, "create-key", new() { ["NewKey.Name"] = "from-the-dashboard", ["NewKey.Role"] = "Viewer" });
        var createdPage = new AngleSharp.Html.Parser.HtmlParser().ParseDocument(await created.Content.ReadAsStringAsync());
        var secret = DashboardClient.Text(createdPage, "[data-secret]");
        using var withNewKey = fixture.Factory.CreateHttpClient(secret);
        Assert.Equal(HttpStatusCode.OK, (await withNewKey.GetAsync("/api/models")).StatusCode);
        Assert.Equal("no-store", created.Headers.CacheControl?.ToString());

        var id = createdPage.QuerySelectorAll("#keys tbody tr").Single(r => r.QuerySelector("th")!.TextContent == "from-the-dashboard").GetAttribute("data-key")!;
        using var revoked = await browser.SubmitAsync("/keys", createdPage, $"revoke-{id}", []);
        Assert.Equal(HttpStatusCode.Redirect, revoked.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await withNewKey.GetAsync("/api/models")).StatusCode);
    }

    [Fact]
    public async Task SessionCookie_FromOneReplica_IsAcceptedByAnother()
    {
        // The Data Protection key ring lives in the shared database, so a second server on it reads the first one's cookie.
        using var second = new KilnAppFactory(dataDir: fixture.Factory.DataDir);
        using var first = new DashboardClient(fixture.Factory);
        using var signedIn = await first.SignInAsync(fixture.ViewerKey);
        var cookie = signedIn.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("kiln_session=", StringComparison.Ordinal)).Split(';')[0];

        using var other = second.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        using var request = new HttpRequestMessage(HttpMethod.Get, "/models");
        request.Headers.Add("Cookie", cookie);
        using var response = await other.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
