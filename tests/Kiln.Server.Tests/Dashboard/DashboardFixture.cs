using System.Net.Http.Json;
using Kiln.Client;
using Kiln.Core.Security;
using Kiln.Server.Tests.Support;

namespace Kiln.Server.Tests.Dashboard;

/// <summary>A server (auth on) with gbt deployed and some traffic on it, a run with a metric history, and a viewer and a deployer key.</summary>
public sealed class DashboardFixture : IAsyncLifetime
{
    public KilnAppFactory Factory { get; } = new();

    public string ViewerKey { get; private set; } = "";

    public string DeployerKey { get; private set; } = "";

    public string RunId { get; private set; } = "";

    public async Task InitializeAsync()
    {
        await Requests.DeployGbtAsync(Factory);
        using var admin = Factory.CreateKilnClient();
        ViewerKey = (await admin.CreateKeyAsync("dashboard-viewer", KilnRole.Viewer)).Key;
        DeployerKey = (await admin.CreateKeyAsync("dashboard-deployer", KilnRole.Deployer)).Key;
        using var http = Factory.CreateHttpClient();
        for (var i = 0; i < 12; i++)
        {
            (await http.PostAsync("/v2/models/gbt/infer", Requests.Json("""{"inputs":[{"name":"float_input","shape":[1,7],"datatype":"FP32","data":[1,2,3,4,5,6,7]}]}"""))).EnsureSuccessStatusCode();
        }

        var run = await (await http.PostAsJsonAsync("/api/runs", new { experimentName = "dashboard", name = "trial-a" })).EnsureSuccessStatusCode().ReadJsonAsync();
        RunId = run.GetProperty("id").GetString()!;
        var metrics = Enumerable.Range(0, 2_000).Select(step => new { key = "loss", value = 1.0 / (step + 1), timestamp = DateTimeOffset.UtcNow, step });
        (await http.PostAsJsonAsync($"/api/runs/{RunId}/log", new { metrics, @params = new Dictionary<string, string> { ["algorithm"] = "fasttree" } })).EnsureSuccessStatusCode();
    }

    public Task DisposeAsync()
    {
        Factory.Dispose();
        return Task.CompletedTask;
    }
}
