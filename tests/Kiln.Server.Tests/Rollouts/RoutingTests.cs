using Kiln.Server.Tests.Support;

namespace Kiln.Server.Tests.Rollouts;

/// <summary>A/B splits by weight, sticky routing by header and by input field, and version pinning.</summary>
public sealed class RoutingTests : IDisposable
{
    private readonly RolloutServer _server = new();

    [Fact]
    public async Task Traffic_SeventyThirtyWithoutKey_SharesWithinFivePoints()
    {
        await _server.DeployAsync("ab", versions: 2);
        using var http = _server.Http();
        await RolloutServer.SendAsync(http, HttpMethod.Put, "/api/deployments/ab/traffic", new { weights = new Dictionary<string, int> { ["1"] = 70, ["2"] = 30 } });

        var counts = await _server.LoadAsync("ab", 2000);

        Assert.Equal(["1", "2"], counts.Keys.Order());
        Assert.InRange(counts["1"] / 2000.0, 0.65, 0.75);
        Assert.InRange(counts["2"] / 2000.0, 0.25, 0.35);
    }

    [Fact]
    public async Task Traffic_SameRoutingKey_AlwaysGetsSameVersion()
    {
        await _server.DeployAsync("ab", versions: 2);
        using var http = _server.Http();
        await RolloutServer.SendAsync(http, HttpMethod.Put, "/api/deployments/ab/traffic", new { weights = new Dictionary<string, int> { ["1"] = 50, ["2"] = 50 } });

        var first = new Dictionary<string, string>();
        for (var user = 0; user < 40; user++)
        {
            first[$"user-{user}"] = (await RolloutServer.PredictAsync(http, "ab", $"user-{user}")).Version;
        }

        for (var round = 0; round < 3; round++)
        {
            foreach (var (key, version) in first)
            {
                Assert.Equal(version, (await RolloutServer.PredictAsync(http, "ab", key)).Version);
            }
        }

        // Sticky is not constant: 40 keys over a 50/50 split reach both versions.
        Assert.Equal(["1", "2"], first.Values.Distinct().Order());
    }

    [Fact]
    public async Task Infer_PinnedVersion_AlwaysServedByThatVersion()
    {
        await _server.DeployAsync("ab", versions: 3);
        using var http = _server.Http();
        await RolloutServer.SendAsync(http, HttpMethod.Put, "/api/deployments/ab/traffic", new { weights = new Dictionary<string, int> { ["1"] = 90, ["2"] = 10 } });
        var body = """{"inputs":[{"name":"float_input","shape":[1,7],"datatype":"FP32","data":[41,1200,5,300,2,-1,0]}]}""";

        for (var i = 0; i < 50; i++)
        {
            using var response = await http.PostAsync("/v2/models/ab/versions/2/infer", Requests.Json(body));
            Assert.Equal(200, (int)response.StatusCode);
            Assert.Equal("2", response.Headers.GetValues("Kiln-Model-Version").Single());
            Assert.Equal("ab", response.Headers.GetValues("Kiln-Deployment").Single());
        }

        // Version 3 is registered but not a variant of the deployment; 7 does not exist at all.
        using var notServed = await http.PostAsync("/v2/models/ab/versions/3/infer", Requests.Json(body));
        Assert.Equal(404, (int)notServed.StatusCode);
        using var absent = await http.PostAsync("/v2/models/ab/versions/7/infer", Requests.Json(body));
        Assert.Equal(404, (int)absent.StatusCode);
    }

    [Fact]
    public async Task Traffic_RoutingFieldSet_RoutesByFieldValueStickily()
    {
        await _server.DeployAsync("ab", versions: 2);
        using var http = _server.Http();
        var deployed = await RolloutServer.SendAsync(http, HttpMethod.Put, "/api/deployments/ab", new { model = "gbt/1", routingField = "age" });
        Assert.Equal("age", deployed.GetProperty("deployment").GetProperty("routingField").GetString());
        var split = await RolloutServer.SendAsync(http, HttpMethod.Put, "/api/deployments/ab/traffic", new { weights = new Dictionary<string, int> { ["1"] = 50, ["2"] = 50 } });
        Assert.Equal("age", split.GetProperty("deployment").GetProperty("routingField").GetString());

        var byAge = new Dictionary<int, string>();
        for (var age = 20; age < 60; age++)
        {
            var (status, version) = await RolloutServer.PredictAsync(http, "ab", age: age);
            Assert.Equal(200, status);
            byAge[age] = version;
        }

        foreach (var (age, version) in byAge)
        {
            for (var i = 0; i < 3; i++)
            {
                Assert.Equal(version, (await RolloutServer.PredictAsync(http, "ab", age: age)).Version);
            }

            // The field's value routes exactly as the same value sent as a routing key would.
            Assert.Equal(version, (await RolloutServer.PredictAsync(http, "ab", routingKey: age.ToString(System.Globalization.CultureInfo.InvariantCulture), age: 99)).Version);
        }

        Assert.Equal(["1", "2"], byAge.Values.Distinct().Order());
    }

    public void Dispose() => _server.Dispose();
}
