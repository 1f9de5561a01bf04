namespace Kiln.Server.Tests.Rollouts;

public sealed class VariantTrafficTests : IDisposable
{
    private readonly RolloutServer _server = new();

    [Fact]
    public async Task GetDeployment_AbSplit_ShowsEachVariantsRecentTraffic()
    {
        await _server.DeployAsync("vt", versions: 2);
        using var http = _server.Http();
        await RolloutServer.SendAsync(http, HttpMethod.Put, "/api/deployments/vt/traffic", new { weights = new Dictionary<string, int> { ["1"] = 50, ["2"] = 50 } });
        var served = await _server.LoadAsync("vt", 200);

        var view = await RolloutServer.SendAsync(http, HttpMethod.Get, "/api/deployments/vt");

        var traffic = view.GetProperty("traffic").EnumerateArray().ToDictionary(t => t.GetProperty("modelVersion").GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(2, traffic.Count);
        foreach (var (version, count) in served)
        {
            Assert.Equal(count, traffic[version].GetProperty("requests").GetInt64());
            Assert.Equal(0, traffic[version].GetProperty("errorRate").GetDouble());
            Assert.True(traffic[version].GetProperty("p99Ms").GetDouble() > 0);
        }
    }

    public void Dispose() => _server.Dispose();
}
