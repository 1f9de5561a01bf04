using System.Globalization;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Kiln.EndToEnd.Tests.Browser;

/// <summary>
/// The dashboard in Debian's Chromium, on the quickstart's data: sign in, walk every page without a console error,
/// reach every action by keyboard, see the API's numbers, act as an admin, be refused as a viewer, refresh live,
/// and read without JavaScript. The README's screenshots come from here.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class DashboardBrowserTests(BrowserFixture browser, QuickstartDashboardFixture kiln, ITestOutputHelper output) : IClassFixture<QuickstartDashboardFixture>
{
    private const string Deployment = QuickstartDashboardFixture.Deployment;

    [ChromiumFact]
    public async Task SignedIn_EveryPageLoadsCleanAndEveryActionIsReachableByKeyboard()
    {
        await using var page = await SignedInAsync(QuickstartDashboardFixture.AdminKey);
        // Walk by the links a person would follow, starting at the overview.
        await page.Page.GetByRole(AriaRole.Link, new() { Name = Deployment, Exact = true }).First.ClickAsync();
        await AssertPageAsync(page, $"/deployments/{Deployment}", "deployment");
        await page.Page.GetByRole(AriaRole.Link, new() { Name = "Quality and drift" }).ClickAsync();
        await AssertPageAsync(page, $"/deployments/{Deployment}/monitoring", "monitoring");
        await page.Page.GetByRole(AriaRole.Link, new() { Name = "Experiments" }).ClickAsync();
        await AssertPageAsync(page, "/runs", "runs");
        var boxes = page.Page.Locator("#runs input[type=checkbox]");
        await boxes.Nth(0).CheckAsync();
        await boxes.Nth(1).CheckAsync();
        await page.Page.GetByRole(AriaRole.Button, new() { Name = "Compare selected" }).ClickAsync();
        await AssertPageAsync(page, "/runs/compare", "compare");
        Assert.Equal(2, await page.Page.Locator("#compare-metrics thead th").CountAsync() - 1);
        await page.Page.Locator("#compare-metrics thead th a").First.ClickAsync();
        await AssertPageAsync(page, "/runs/", "run");
        await page.Page.GetByRole(AriaRole.Link, new() { Name = "Models" }).ClickAsync();
        await AssertPageAsync(page, "/models", "models");
        await page.Page.Locator("#models tbody a").First.ClickAsync();
        await AssertPageAsync(page, $"/models/{Deployment}", "model");
        await page.Page.Locator("#versions tbody a").First.ClickAsync();
        await AssertPageAsync(page, $"/models/{Deployment}/versions/", "version");
        await page.Page.GetByRole(AriaRole.Link, new() { Name = "Pipelines" }).ClickAsync();
        await AssertPageAsync(page, "/pipelines", "pipelines");
        Assert.Contains("bank-retrain", await page.TextAsync("#pipelines"), StringComparison.Ordinal);
        if (await page.Page.Locator("#runs tbody a").CountAsync() > 0)
        {
            await page.Page.Locator("#runs tbody a").First.ClickAsync();
            await AssertPageAsync(page, "/pipelines/runs/", "pipeline-run");
            Assert.True(await page.Page.Locator("#run-graph g.node").CountAsync() == 6, "the run's DAG shows its six steps");
        }

        await page.Page.GetByRole(AriaRole.Link, new() { Name = "Alerts" }).ClickAsync();
        await AssertPageAsync(page, "/alerts", "alerts");
        await page.Page.GetByRole(AriaRole.Link, new() { Name = "Keys" }).ClickAsync();
        await AssertPageAsync(page, "/keys", "keys");
        await page.Page.GetByRole(AriaRole.Link, new() { Name = "Overview" }).ClickAsync();
        await AssertPageAsync(page, "/", "overview");
    }

    [ChromiumFact]
    public async Task Pages_ShowTheApisNumbers()
    {
        await using var page = await SignedInAsync(QuickstartDashboardFixture.AdminKey);

        await page.GotoAsync($"/deployments/{Deployment}/monitoring?range=1d&window=1h");
        var quality = await kiln.GetJsonAsync($"api/deployments/{Deployment}/quality?since=1d&window=1h");
        foreach (var version in quality.GetProperty("versions").EnumerateArray())
        {
            var row = $"#quality-table tr[data-version='{version.GetProperty("modelVersion").GetInt32()}']";
            var overall = version.GetProperty("overall");
            Assert.Equal(Count(overall.GetProperty("predictions").GetInt64()), await page.TextAsync($"{row} td:nth-of-type(1)"));
            Assert.Equal(Count(overall.GetProperty("labelled").GetInt64()), await page.TextAsync($"{row} td:nth-of-type(2)"));
            if (overall.GetProperty("metrics").TryGetProperty("accuracy", out var accuracy))
            {
                Assert.Equal(Math.Round(accuracy.GetDouble(), 4), double.Parse(await page.TextAsync($"{row} [data-metric=accuracy]"), CultureInfo.InvariantCulture));
            }
        }

        var drift = await kiln.GetJsonAsync($"api/deployments/{Deployment}/drift?since=1d");
        Assert.Equal(drift.GetProperty("datasetDrift").GetBoolean() ? "dataset drift" : "no dataset drift", await page.TextAsync("[data-metric=dataset-drift]"));
        Assert.Equal(drift.GetProperty("features").GetArrayLength(), await page.Page.Locator("#drift-features tbody tr").CountAsync());

        await page.GotoAsync($"/deployments/{Deployment}");
        var view = await kiln.GetJsonAsync($"api/deployments/{Deployment}");
        var requests = view.GetProperty("traffic").EnumerateArray().Sum(t => t.GetProperty("requests").GetInt64());
        // Per variant of the deployment as it is now (another test may have rolled a variant away): at least some of what was sent.
        Assert.InRange(requests, 1, kiln.RequestsSent);
        var shown = 0L;
        foreach (var cell in await page.Page.Locator("#variants [data-metric=requests]").AllInnerTextsAsync())
        {
            shown += long.Parse(cell, NumberStyles.AllowThousands, CultureInfo.InvariantCulture);
        }

        Assert.Equal(requests, shown);

        // Lineage: the version's training-data digest, as the registry has it.
        await page.GotoAsync($"/models/{Deployment}");
        var first = await kiln.GetJsonAsync($"api/models/{Deployment}/versions/1");
        Assert.Equal(first.GetProperty("manifest").GetProperty("metadata").GetProperty("dataset_digest").GetString(), await page.TextAsync("#versions tr[data-version='1'] code"));
        await page.AssertNoErrorsAsync();
    }

    [ChromiumFact]
    public async Task Admin_CreatesAViewerKey_AndTheViewerSeesNoButtonsAndIsRefused()
    {
        await using var admin = await SignedInAsync(QuickstartDashboardFixture.AdminKey);
        await admin.GotoAsync("/keys");
        await admin.Page.GetByLabel("Name").FillAsync("browser-viewer");
        await admin.Page.GetByLabel("Role").SelectOptionAsync("Viewer");
        await admin.Page.GetByRole(AriaRole.Button, new() { Name = "Create" }).ClickAsync();
        var secret = await admin.TextAsync("[data-secret]");
        await admin.AssertNoErrorsAsync();

        await using var viewer = await SignedInAsync(secret);
        await viewer.GotoAsync($"/deployments/{Deployment}");
        Assert.Equal(0, await viewer.Page.GetByRole(AriaRole.Button, new() { Name = "Set weights" }).CountAsync());
        Assert.Equal(0, await viewer.Page.GetByRole(AriaRole.Button, new() { Name = "Roll back here" }).CountAsync());
        Assert.Equal(0, await viewer.Page.GetByRole(AriaRole.Link, new() { Name = "Keys" }).CountAsync());
        viewer.Expect("/keys");
        await viewer.GotoAsync("/keys");
        Assert.Contains("Only an admin", await viewer.TextAsync("[role=alert]"), StringComparison.Ordinal);
        await viewer.AssertNoErrorsAsync();

        // Revoking the key in the admin's browser ends the viewer's session at its next page.
        await admin.GotoAsync("/keys");
        await admin.Page.GetByRole(AriaRole.Button, new() { Name = "Revoke browser-viewer" }).ClickAsync();
        Assert.Contains("revoked", await admin.TextAsync("[role=status]"), StringComparison.Ordinal);
        await viewer.GotoAsync("/");
        Assert.Contains("/sign-in", viewer.Page.Url, StringComparison.Ordinal);
    }

    [ChromiumFact]
    public async Task Admin_RollsBackFromTheRevisionHistory()
    {
        await using var page = await SignedInAsync(QuickstartDashboardFixture.AdminKey);
        await page.GotoAsync($"/deployments/{Deployment}");

        await page.Page.GetByRole(AriaRole.Button, new() { Name = "Roll back to revision 1" }).ClickAsync();

        Assert.Contains("Done: rollback", await page.TextAsync("[role=status]"), StringComparison.Ordinal);
        var history = await kiln.GetJsonAsync($"api/deployments/{Deployment}/history");
        Assert.Equal("rollback", history[0].GetProperty("change").GetString());
        Assert.Equal("rollback", (await page.TextAsync("#revisions tbody tr:first-child td:nth-of-type(4)")).Trim());
        await page.AssertNoErrorsAsync();
    }

    [ChromiumFact]
    public async Task Overview_RefreshesItsNumbersWithoutAReload()
    {
        await using var page = await SignedInAsync(QuickstartDashboardFixture.AdminKey);
        var loaded = await page.Page.EvaluateAsync<double>("performance.timeOrigin");

        await page.Page.WaitForSelectorAsync("html[data-refreshed-at]", new() { State = WaitForSelectorState.Attached, Timeout = 15_000 });

        Assert.Equal(loaded, await page.Page.EvaluateAsync<double>("performance.timeOrigin"));
        await page.AssertNoErrorsAsync();
    }

    [ChromiumFact]
    public async Task Pages_ReadWithoutJavaScript()
    {
        await using var page = await browser.OpenAsync(kiln.Url, output, javaScript: false);
        await page.SignInAsync("/sign-in?returnUrl=%2Fdeployments%2Fbank-marketing%2Fmonitoring", "API key", QuickstartDashboardFixture.AdminKey);

        Assert.Contains("/monitoring", page.Page.Url, StringComparison.Ordinal);
        Assert.True(await page.Page.Locator("#drift-features tbody tr").CountAsync() > 0);
        Assert.True(await page.Page.Locator("svg.plot").CountAsync() > 3);
        await page.AssertNoErrorsAsync();
    }

    private async Task<BrowserPage> SignedInAsync(string key)
    {
        var page = await browser.OpenAsync(kiln.Url, output);
        await page.SignInAsync("/sign-in", "API key", key);
        Assert.EndsWith("/", page.Page.Url, StringComparison.Ordinal);
        return page;
    }

    private async Task AssertPageAsync(BrowserPage page, string path, string screenshot)
    {
        Assert.Contains(path, new Uri(page.Page.Url).PathAndQuery, StringComparison.Ordinal);
        Assert.Contains("Kiln", await page.Page.TitleAsync(), StringComparison.Ordinal);
        await page.AssertNoErrorsAsync();
        // The picture first: the keyboard round leaves focus (and the skip link) showing.
        await page.SaveScreenshotAsync(screenshot);
        var unreachable = await page.UnreachableByKeyboardAsync();
        Assert.True(unreachable.Count == 0, $"{path}: not reachable by keyboard: {string.Join(", ", unreachable)}");
    }

    private static string Count(long value) => value.ToString("#,0", CultureInfo.InvariantCulture);
}
