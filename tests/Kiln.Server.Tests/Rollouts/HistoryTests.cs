namespace Kiln.Server.Tests.Rollouts;

/// <summary>The revision history: one numbered revision per change, newest first, with who and why.</summary>
public sealed class HistoryTests : IDisposable
{
    private readonly RolloutServer _server = new();

    [Fact]
    public async Task History_EveryChange_OneRevisionWithActorAndReason()
    {
        await _server.DeployAsync("h", versions: 3);
        using var http = _server.Http();
        await RolloutServer.SendAsync(http, HttpMethod.Put, "/api/deployments/h/traffic", new { weights = new Dictionary<string, int> { ["1"] = 80, ["2"] = 20 }, reason = "try v2 on a fifth" });
        await RolloutServer.SendAsync(http, HttpMethod.Put, "/api/deployments/h/traffic", new { weights = new Dictionary<string, int> { ["2"] = 100 } });
        await RolloutServer.SendAsync(http, HttpMethod.Post, "/api/deployments/h/canary", new { model = "gbt/3", manual = true });
        await RolloutServer.SendAsync(http, HttpMethod.Post, "/api/deployments/h/canary/abort", new { reason = "changed my mind" });
        await RolloutServer.SendAsync(http, HttpMethod.Put, "/api/deployments/h/shadow", new { model = "gbt/3", sample = 0.5 });
        await RolloutServer.SendAsync(http, HttpMethod.Delete, "/api/deployments/h/shadow");
        await RolloutServer.SendAsync(http, HttpMethod.Post, "/api/deployments/h/rollback", new { toRevision = 2 });

        var history = (await RolloutServer.SendAsync(http, HttpMethod.Get, "/api/deployments/h/history")).EnumerateArray().ToArray();

        Assert.Equal([8, 7, 6, 5, 4, 3, 2, 1], history.Select(r => r.GetProperty("number").GetInt32()));
        Assert.Equal(
            ["rollback", "shadow_remove", "shadow", "canary_abort", "canary_start", "traffic", "traffic", "deploy"],
            history.Select(r => r.GetProperty("change").GetString()));
        Assert.All(history, r => Assert.Equal(RolloutServer.AdminActor, r.GetProperty("actor").GetString()));
        Assert.All(history, r => Assert.False(string.IsNullOrWhiteSpace(r.GetProperty("reason").GetString())));
        Assert.Contains("try v2 on a fifth", history[6].GetProperty("reason").GetString());
        Assert.Contains("changed my mind", history[3].GetProperty("reason").GetString());
        Assert.Equal([(1, 80), (2, 20)], RollbackTests.Variants(history[0]));
        Assert.Equal([(1, 80), (2, 20)], RollbackTests.Variants(history[6]));
        Assert.Equal(8, (await RolloutServer.SendAsync(http, HttpMethod.Get, "/api/deployments/h")).GetProperty("deployment").GetProperty("revision").GetInt32());
    }

    [Fact]
    public async Task History_UnknownDeployment_NotFound()
    {
        using var http = _server.Http();
        using var response = await http.GetAsync("/api/deployments/none/history");
        Assert.Equal(404, (int)response.StatusCode);
    }

    public void Dispose() => _server.Dispose();
}
