using System.Net;
using System.Text;
using System.Text.Json;
using Kiln.Server.Tests.Support;

namespace Kiln.Server.Tests.Dashboard;

/// <summary>The dashboard's Pipelines pages: the list, a run as a DAG with its steps and log, and an approval decided from the page.</summary>
public sealed class PipelineDashboardTests(DashboardFixture fixture) : IClassFixture<DashboardFixture>
{
    [Fact]
    public async Task Run_WaitingForApproval_IsShownAsADag_AndADeployerApprovesItFromThePage()
    {
        using var http = fixture.Factory.CreateHttpClient();
        (await http.PostAsync("/api/pipelines", new StringContent("""
            name: gated-release
            triggers:
              - cron: "0 4 * * *"
            steps:
              approve: { kind: approval, with: { message: ship it? } }
              ship: { kind: command, needs: approve, with: { program: echo, args: ["${{ steps.approve.outputs.by }}"] } }
            """, Encoding.UTF8, "application/yaml"))).EnsureSuccessStatusCode();
        var id = (await (await http.PostAsync("/api/pipelines/gated-release/runs", Requests.Json("{}"))).ReadJsonAsync()).GetProperty("id").GetString()!;
        await WaitAsync(http, id, "waiting");

        using var viewer = new DashboardClient(fixture.Factory);
        await viewer.SignInAsync(fixture.ViewerKey);
        var (listStatus, list, _) = await viewer.GetAsync("/pipelines");
        Assert.Equal(HttpStatusCode.OK, listStatus);
        Assert.Contains("approve → ship", DashboardClient.Text(list, "tr[data-pipeline=gated-release]"), StringComparison.Ordinal);
        Assert.Contains("cron '0 4 * * *' (UTC)", DashboardClient.Text(list, "tr[data-pipeline=gated-release]"), StringComparison.Ordinal);
        Assert.Equal("waiting", DashboardClient.Text(list, $"tr[data-run='{id}'] .badge"));
        var (_, runPage, _) = await viewer.GetAsync($"/pipelines/runs/{id}");
        Assert.Equal("waiting", runPage.QuerySelector("#run-graph g[data-step=approve]")?.GetAttribute("data-status"));
        Assert.Equal("pending", runPage.QuerySelector("#run-graph g[data-step=ship]")?.GetAttribute("data-status"));
        Assert.NotNull(runPage.QuerySelector("#run-graph path.edge"));
        Assert.Contains("waiting for approval: ship it?", DashboardClient.Text(runPage, "pre.log"), StringComparison.Ordinal);
        Assert.Empty(runPage.QuerySelectorAll("form.decide"));
        using var refused = await viewer.PostAsync($"/pipelines/runs/{id}", "decide-approve", DashboardClient.Token(runPage), new() { ["DecisionForm.Approve"] = "true" });
        Assert.Contains(refused.StatusCode, new[] { HttpStatusCode.BadRequest, HttpStatusCode.Forbidden }); // a viewer's page has no such form
        Assert.Equal("waiting", (await WaitAsync(http, id, "waiting")).GetProperty("steps")[0].GetProperty("status").GetString());

        using var deployer = new DashboardClient(fixture.Factory);
        await deployer.SignInAsync(fixture.DeployerKey);
        var (_, page, _) = await deployer.GetAsync($"/pipelines/runs/{id}");
        Assert.NotNull(page.QuerySelector("form.decide"));
        using var approved = await deployer.SubmitAsync($"/pipelines/runs/{id}", page, "decide-approve", new() { ["DecisionForm.Approve"] = "true", ["DecisionForm.Comment"] = "from the page" });
        Assert.Equal(HttpStatusCode.Redirect, approved.StatusCode);

        var done = await WaitAsync(http, id, "succeeded");
        var ship = done.GetProperty("steps")[1];
        Assert.Equal("dashboard-deployer", ship.GetProperty("outputs").GetProperty("stdout").GetString());
        var (_, after, _) = await deployer.GetAsync($"/pipelines/runs/{id}");
        Assert.Equal("succeeded", after.QuerySelector("#run-graph g[data-step=ship]")?.GetAttribute("data-status"));
        Assert.Empty(after.QuerySelectorAll("input[name=_handler][value=cancel], input[name=_handler][value=retry]")); // nothing to cancel or retry now
    }

    [Fact]
    public async Task RunPage_UnknownRun_Is404()
    {
        using var browser = new DashboardClient(fixture.Factory);
        await browser.SignInAsync(fixture.ViewerKey);

        var (status, _, _) = await browser.GetAsync("/pipelines/runs/0123456789abcdef0123456789abcdef");

        Assert.Equal(HttpStatusCode.NotFound, status);
    }

    private static async Task<JsonElement> WaitAsync(HttpClient http, string id, string status)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var run = await (await http.GetAsync($"/api/pipelines/runs/{id}")).ReadJsonAsync();
            if (run.GetProperty("run").GetProperty("status").GetString() == status)
            {
                return run;
            }

            Assert.True(DateTime.UtcNow < deadline, $"run {id} never got to {status}: {run}");
            await Task.Delay(100);
        }
    }
}
