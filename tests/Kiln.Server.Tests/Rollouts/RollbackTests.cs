using System.Text.Json;

namespace Kiln.Server.Tests.Rollouts;

/// <summary>Rollback restores an earlier revision's variants as a new revision.</summary>
public sealed class RollbackTests : IDisposable
{
    private readonly RolloutServer _server = new();

    /// <summary>Revision 1: gbt/1; 2: 50/50 over 1 and 2; 3: blue-green to 3.</summary>
    private async Task<HttpClient> ThreeRevisionsAsync()
    {
        await _server.DeployAsync("r", versions: 3);
        var http = _server.Http();
        await RolloutServer.SendAsync(http, HttpMethod.Put, "/api/deployments/r/traffic", new { weights = new Dictionary<string, int> { ["1"] = 50, ["2"] = 50 } });
        await RolloutServer.SendAsync(http, HttpMethod.Post, "/api/deployments/r/bluegreen", new { model = "gbt/3" });
        return http;
    }

    [Fact]
    public async Task Rollback_WithoutNumber_RestoresPreviousRevisionsVariants()
    {
        using var http = await ThreeRevisionsAsync();

        var view = await RolloutServer.SendAsync(http, HttpMethod.Post, "/api/deployments/r/rollback", new { });

        var deployment = view.GetProperty("deployment");
        Assert.Equal(4, deployment.GetProperty("revision").GetInt32());
        Assert.Equal([(1, 50), (2, 50)], Variants(deployment));
        var counts = await _server.LoadAsync("r", 400);
        Assert.Equal(["1", "2"], counts.Keys.Order());
        var latest = (await RolloutServer.SendAsync(http, HttpMethod.Get, "/api/deployments/r/history"))[0];
        Assert.Equal("rollback", latest.GetProperty("change").GetString());
        Assert.Contains("revision 2", latest.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task Rollback_ToExplicitRevision_RestoresThatRevision()
    {
        using var http = await ThreeRevisionsAsync();

        var view = await RolloutServer.SendAsync(http, HttpMethod.Post, "/api/deployments/r/rollback", new { toRevision = 1 });

        Assert.Equal(4, view.GetProperty("deployment").GetProperty("revision").GetInt32());
        Assert.Equal([(1, 100)], Variants(view.GetProperty("deployment")));
        Assert.Equal(["1"], (await _server.LoadAsync("r", 50)).Keys);
    }

    [Fact]
    public async Task Rollback_UnknownRevision_NotFound()
    {
        using var http = await ThreeRevisionsAsync();

        using var unknown = await http.PostAsync("/api/deployments/r/rollback", Support.Requests.Json("""{"toRevision": 42}"""));
        Assert.Equal(404, (int)unknown.StatusCode);
        using var current = await http.PostAsync("/api/deployments/r/rollback", Support.Requests.Json("""{"toRevision": 3}"""));
        Assert.Equal(400, (int)current.StatusCode);
        using var noDeployment = await http.PostAsync("/api/deployments/nope/rollback", Support.Requests.Json("{}"));
        Assert.Equal(404, (int)noDeployment.StatusCode);

        // Nothing changed.
        Assert.Equal(3, (await RolloutServer.SendAsync(http, HttpMethod.Get, "/api/deployments/r")).GetProperty("deployment").GetProperty("revision").GetInt32());
    }

    internal static (int Version, int Weight)[] Variants(JsonElement deployment) =>
        [.. deployment.GetProperty("variants").EnumerateArray()
            .Where(v => v.GetProperty("role").GetString() != "shadow")
            .Select(v => (v.GetProperty("modelVersion").GetInt32(), v.GetProperty("weight").GetInt32()))
            .OrderBy(v => v.Item1)];

    public void Dispose() => _server.Dispose();
}
