using System.Net;
using Kiln.Server.Tests.Support;

namespace Kiln.Server.Tests;

/// <summary>Deployments, versions and keys survive a restart on the same data folder.</summary>
public sealed class RestartTests : IDisposable
{
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "kiln-tests", Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task Restart_SameDataDir_RestoresDeploymentsAndServes()
    {
        using (var first = new KilnAppFactory(dataDir: _dataDir))
        {
            await Requests.DeployGbtAsync(first, deployment: "bank");
        }

        using var second = new KilnAppFactory(dataDir: _dataDir);
        await second.WaitUntilReadyAsync();
        using var http = second.CreateHttpClient();

        using var response = await http.PostAsync("/v1/models/bank:predict", Requests.Json("""{"instances":[[35,1500.5,15,240,2,-1,0]]}"""));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var ready = await (await http.GetAsync("/health/ready")).ReadJsonAsync();
        Assert.Equal("ready", ready.GetProperty("deployments")[0].GetProperty("status").GetString());
    }

    [Fact]
    public async Task Restart_SeveralDeployments_AreRestoredSideBySideAndEachServes()
    {
        string[] names = ["bank", "churn", "fraud", "price"];
        using (var first = new KilnAppFactory(dataDir: _dataDir))
        {
            foreach (var name in names)
            {
                await Requests.DeployGbtAsync(first, deployment: name, model: name);
            }
        }

        using var second = new KilnAppFactory(dataDir: _dataDir);
        await second.WaitUntilReadyAsync();
        using var http = second.CreateHttpClient();

        foreach (var name in names)
        {
            using var response = await http.PostAsync($"/v1/models/{name}:predict", Requests.Json("""{"instances":[[35,1500.5,15,240,2,-1,0]]}"""));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var ready = await (await http.GetAsync("/health/ready")).ReadJsonAsync();
        Assert.Equal(names, ready.GetProperty("deployments").EnumerateArray().Select(d => d.GetProperty("name").GetString()).Order());
        Assert.All(ready.GetProperty("deployments").EnumerateArray(), d => Assert.Equal("ready", d.GetProperty("status").GetString()));
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
