namespace Kiln.Server.Tests.Rollouts;

/// <summary>Blue-green: the new version is warmed alongside, all traffic flips at once, and going back reuses the warm old version.</summary>
public sealed class BlueGreenTests : IDisposable
{
    private readonly RolloutServer _server = new();

    [Fact]
    public async Task BlueGreen_Flip_AllResponsesFromNewVersion()
    {
        await _server.DeployAsync("bg", versions: 2);
        using var http = _server.Http();

        var view = await RolloutServer.SendAsync(http, HttpMethod.Post, "/api/deployments/bg/bluegreen", new { model = "gbt/2" });

        var variant = Assert.Single(view.GetProperty("deployment").GetProperty("variants").EnumerateArray());
        Assert.Equal(2, variant.GetProperty("modelVersion").GetInt32());
        Assert.Equal(100, variant.GetProperty("weight").GetInt32());
        Assert.Equal(["2"], (await _server.LoadAsync("bg", 200)).Keys);
        var latest = (await RolloutServer.SendAsync(http, HttpMethod.Get, "/api/deployments/bg/history"))[0];
        Assert.Equal("bluegreen", latest.GetProperty("change").GetString());
    }

    [Fact]
    public async Task Rollback_AfterFlip_InstantWithoutModelLoad()
    {
        await _server.DeployAsync("bg", versions: 2);
        using var http = _server.Http();
        await RolloutServer.SendAsync(http, HttpMethod.Post, "/api/deployments/bg/bluegreen", new { model = "gbt/2", keepOld = "10m" });
        Assert.Equal(2, _server.Loads.Loads);

        var view = await RolloutServer.SendAsync(http, HttpMethod.Post, "/api/deployments/bg/rollback", new { });

        Assert.Equal(2, _server.Loads.Loads);
        Assert.Equal("ready", view.GetProperty("status").GetString());
        Assert.Equal(1, Assert.Single(view.GetProperty("deployment").GetProperty("variants").EnumerateArray()).GetProperty("modelVersion").GetInt32());
        Assert.Equal(["1"], (await _server.LoadAsync("bg", 100)).Keys);

        // Flipping forward again is instant too: the rollback kept version 2 warm.
        await RolloutServer.SendAsync(http, HttpMethod.Post, "/api/deployments/bg/bluegreen", new { model = "gbt/2" });
        Assert.Equal(2, _server.Loads.Loads);
        Assert.Equal(["2"], (await _server.LoadAsync("bg", 100)).Keys);
    }

    public void Dispose() => _server.Dispose();
}
