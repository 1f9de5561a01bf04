using System.Text.Json;
using Kiln.Monitoring.PredictionLog;

namespace Kiln.Server.Tests.Rollouts;

/// <summary>Shadows get a copy of live requests, are compared with the primary, and never answer.</summary>
public sealed class ShadowTests : IDisposable
{
    private readonly RolloutServer _server = new();

    [Fact]
    public async Task Shadow_FullSample_PrimaryAnswersAndShadowIsComparedAndLogged()
    {
        await _server.DeployAsync("s", versions: 2);
        using var http = _server.Http();
        var view = await RolloutServer.SendAsync(http, HttpMethod.Put, "/api/deployments/s/shadow", new { model = "gbt/2", sample = 1.0 });
        var shadow = view.GetProperty("deployment").GetProperty("variants").EnumerateArray().Single(v => v.GetProperty("role").GetString() == "shadow");
        Assert.Equal(2, shadow.GetProperty("modelVersion").GetInt32());

        Assert.Equal(["1"], (await _server.LoadAsync("s", 100)).Keys);

        var window = await WaitForShadowRowsAsync(http, 100);
        Assert.Equal(2, window.GetProperty("modelVersion").GetInt32());
        Assert.Equal(1.0, window.GetProperty("labelAgreement").GetDouble());
        Assert.Equal(0.0, window.GetProperty("meanScoreDifference").GetDouble(), 6);

        var logged = await WaitForLoggedAsync(http, variant: "shadow", count: 100);
        Assert.All(logged, row => Assert.Equal(2, row.GetProperty("version").GetInt32()));
        Assert.Equal(100, (await LoggedAsync(http)).Count(row => row.GetProperty("variant").GetString() == "primary"));
    }

    [Fact]
    public async Task Shadow_Removed_StopsMirroring()
    {
        await _server.DeployAsync("s", versions: 2);
        using var http = _server.Http();
        await RolloutServer.SendAsync(http, HttpMethod.Put, "/api/deployments/s/shadow", new { model = "gbt/2" });
        await _server.LoadAsync("s", 20);
        await WaitForShadowRowsAsync(http, 20);

        var view = await RolloutServer.SendAsync(http, HttpMethod.Delete, "/api/deployments/s/shadow");
        Assert.DoesNotContain(view.GetProperty("deployment").GetProperty("variants").EnumerateArray(), v => v.GetProperty("role").GetString() == "shadow");
        Assert.Equal(["1"], (await _server.LoadAsync("s", 50)).Keys);

        // Mirroring is decided on the request path, so nothing queued after the responses; give the worker time to show otherwise.
        await Task.Delay(300);
        Assert.Equal(20, (await ShadowWindowAsync(http))!.Value.GetProperty("rows").GetInt64());
        Assert.Equal("shadow_remove", (await RolloutServer.SendAsync(http, HttpMethod.Get, "/api/deployments/s/history"))[0].GetProperty("change").GetString());
        using var again = await http.DeleteAsync("/api/deployments/s/shadow");
        Assert.Equal(404, (int)again.StatusCode);
    }

    private static async Task<JsonElement?> ShadowWindowAsync(HttpClient http)
    {
        var windows = await RolloutServer.SendAsync(http, HttpMethod.Get, "/api/deployments/s/shadow");
        return windows.GetArrayLength() == 0 ? null : windows.EnumerateArray().Single();
    }

    private static async Task<JsonElement> WaitForShadowRowsAsync(HttpClient http, long rows)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            if (await ShadowWindowAsync(http) is { } window && window.GetProperty("rows").GetInt64() >= rows)
            {
                return window;
            }

            Assert.True(DateTime.UtcNow < deadline, $"the shadow did not compare {rows} rows in time");
            await Task.Delay(20);
        }
    }

    private async Task<JsonElement[]> WaitForLoggedAsync(HttpClient http, string variant, int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            var rows = (await LoggedAsync(http)).Where(r => r.GetProperty("variant").GetString() == variant).ToArray();
            if (rows.Length >= count)
            {
                return rows;
            }

            Assert.True(DateTime.UtcNow < deadline, $"{rows.Length} of {count} {variant} rows were logged in time");
            await Task.Delay(20);
        }
    }

    private async Task<JsonElement[]> LoggedAsync(HttpClient http)
    {
        await _server.Service<PredictionLogWriter>().FlushAsync(CancellationToken.None);
        var page = await RolloutServer.SendAsync(http, HttpMethod.Get, "/api/deployments/s/predictions?limit=1000");
        return [.. page.GetProperty("predictions").EnumerateArray()];
    }

    public void Dispose() => _server.Dispose();
}
