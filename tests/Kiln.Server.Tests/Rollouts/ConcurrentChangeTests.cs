using System.Net;

namespace Kiln.Server.Tests.Rollouts;

/// <summary>Two changes to one deployment at once: neither may silently undo the other.</summary>
public sealed class ConcurrentChangeTests : IDisposable
{
    private readonly RolloutServer _server = new();

    [Fact]
    public async Task Changes_ShadowWhileBlueGreenLoads_NeitherIsLost()
    {
        await _server.DeployAsync("cc", versions: 6);
        using var http = _server.Http();

        for (var target = 2; target <= 6; target++)
        {
            // Blue-green to a version not loaded yet, so it holds the change lock while it loads; meanwhile set a shadow.
            var flip = http.PostAsync("/api/deployments/cc/bluegreen", Support.Requests.Json($$"""{"model":"gbt/{{target}}"}"""));
            await Task.Delay(5);
            var shadow = http.PutAsync("/api/deployments/cc/shadow", Support.Requests.Json("""{"model":"gbt/1"}"""));
            using var flipped = await flip;
            using var shadowed = await shadow;

            // Whichever change commits second was planned from a revision that moved: it is refused (409), never applied
            // over the other. On a loaded machine the shadow can win the race; then the flip is refused and retried.
            Assert.True(shadowed.StatusCode is HttpStatusCode.OK or HttpStatusCode.Conflict, $"shadow: {(int)shadowed.StatusCode} {await shadowed.Content.ReadAsStringAsync()}");
            Assert.True(flipped.StatusCode == HttpStatusCode.OK || (flipped.StatusCode == HttpStatusCode.Conflict && shadowed.StatusCode == HttpStatusCode.OK),
                $"flip: {(int)flipped.StatusCode} {await flipped.Content.ReadAsStringAsync()}");
            if (flipped.StatusCode == HttpStatusCode.Conflict)
            {
                await RolloutServer.SendAsync(http, HttpMethod.Post, "/api/deployments/cc/bluegreen", new { model = $"gbt/{target}" });
            }
            var deployment = (await RolloutServer.SendAsync(http, HttpMethod.Get, "/api/deployments/cc")).GetProperty("deployment");
            var primary = deployment.GetProperty("variants").EnumerateArray().Single(v => v.GetProperty("role").GetString() == "primary");
            Assert.Equal(target, primary.GetProperty("modelVersion").GetInt32());
            Assert.Equal([target.ToString(System.Globalization.CultureInfo.InvariantCulture)], (await _server.LoadAsync("cc", 5, clients: 1)).Keys);
            if (shadowed.StatusCode == HttpStatusCode.OK)
            {
                // Neither change is lost: the flip kept the shadow it was (re)planned with, or came first and the shadow was added to it.
                Assert.Contains(deployment.GetProperty("variants").EnumerateArray(), v => v.GetProperty("role").GetString() == "shadow");
                await RolloutServer.SendAsync(http, HttpMethod.Delete, "/api/deployments/cc/shadow");
            }
        }
    }

    public void Dispose() => _server.Dispose();
}
