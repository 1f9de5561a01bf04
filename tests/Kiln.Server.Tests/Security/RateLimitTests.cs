using System.Net;
using Kiln.Core.Api;
using Kiln.Core.Security;
using Kiln.Server.Tests.Support;

namespace Kiln.Server.Tests.Security;

/// <summary>F30: token buckets per key (by role), per key and deployment, and per address for callers without a valid key.</summary>
public sealed class RateLimitTests : IAsyncLifetime
{
    private const string V1Body = """{"instances":[[1,2,3,4,5,6,7]]}""";
    private const string V2Body = """{"inputs":[{"name":"float_input","shape":[1,7],"datatype":"FP32","data":[1,2,3,4,5,6,7]}]}""";

    private readonly KilnAppFactory _factory = new(settings: new Dictionary<string, string?>
    {
        ["Kiln:RateLimits:Roles:predictor:PerSecond"] = "2",
        ["Kiln:RateLimits:Roles:predictor:Burst"] = "5",
        ["Kiln:RateLimits:Deployments:other:PerSecond"] = "1",
        ["Kiln:RateLimits:Deployments:other:Burst"] = "3",
        ["Kiln:RateLimits:Anonymous:PerSecond"] = "1",
        ["Kiln:RateLimits:Anonymous:Burst"] = "10",
    });

    public async Task InitializeAsync()
    {
        await Requests.DeployGbtAsync(_factory);
        using var admin = _factory.CreateKilnClient();
        await admin.DeployAsync("other", "gbt@champion");
    }

    public Task DisposeAsync()
    {
        _factory.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Burst_ThrottlesTheLimitedKey_WithRetryAfterAndRateLimitHeaders_WhileAnotherKeyIsUnaffected()
    {
        using var admin = _factory.CreateKilnClient();
        using var greedy = _factory.CreateHttpClient((await admin.CreateKeyAsync("greedy", KilnRole.Predictor)).Key);
        using var polite = _factory.CreateHttpClient((await admin.CreateKeyAsync("polite", KilnRole.Predictor)).Key);

        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? refused = null;
        for (var i = 0; i < 12; i++)
        {
            var response = await greedy.PostAsync("/v1/models/gbt:predict", Requests.Json(V1Body));
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                refused ??= response;
            }
        }

        using var other = await polite.PostAsync("/v1/models/gbt:predict", Requests.Json(V1Body));

        Assert.InRange(statuses.Count(s => s == HttpStatusCode.OK), 5, 8); // the burst, plus what refilled meanwhile on a slow machine
        Assert.NotNull(refused);
        Assert.True(int.Parse(refused.Headers.RetryAfter!.ToString(), System.Globalization.CultureInfo.InvariantCulture) >= 1);
        Assert.Equal("5", refused.Headers.GetValues("RateLimit-Limit").Single());
        Assert.Equal("0", refused.Headers.GetValues("RateLimit-Remaining").Single());
        Assert.Contains("Too many requests", (await refused.ReadJsonAsync()).GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);

        using var metrics = _factory.CreateHttpClient();
        Assert.Contains("kiln_rate_limited_total{limit=\"role\"}", await metrics.GetStringAsync("/metrics"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeploymentLimit_AppliesPerKeyToThatDeploymentOnly_InEachProtocolsErrorShape()
    {
        using var admin = _factory.CreateKilnClient();
        using var deployer = _factory.CreateHttpClient((await admin.CreateKeyAsync("deployer", KilnRole.Deployer)).Key);

        var onOther = new List<HttpResponseMessage>();
        for (var i = 0; i < 6; i++)
        {
            onOther.Add(await deployer.PostAsync("/v2/models/other/infer", Requests.Json(V2Body)));
        }

        HttpResponseMessage mlflow;
        var tries = 0;
        do
        {
            mlflow = await deployer.PostAsync("/deployments/other/invocations", Requests.Json(V1Body));
        }
        while (mlflow.StatusCode == HttpStatusCode.OK && ++tries < 10);

        var onGbt = new List<HttpStatusCode>();
        for (var i = 0; i < 6; i++)
        {
            onGbt.Add((await deployer.PostAsync("/v2/models/gbt/infer", Requests.Json(V2Body))).StatusCode);
        }

        Assert.InRange(onOther.Count(r => r.StatusCode == HttpStatusCode.OK), 3, 5);
        Assert.Contains(onOther, r => r.StatusCode == HttpStatusCode.TooManyRequests);
        Assert.Equal(HttpStatusCode.TooManyRequests, mlflow.StatusCode);
        Assert.Equal("REQUEST_LIMIT_EXCEEDED", (await mlflow.ReadJsonAsync()).GetProperty("error_code").GetString());
        Assert.All(onGbt, s => Assert.Equal(HttpStatusCode.OK, s));
    }

    [Fact]
    public async Task BadKeyFlood_IsThrottledByAddress_AndValidKeysStillServe()
    {
        using var bad = _factory.CreateHttpClient("kiln_not_a_real_key");
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 30; i++)
        {
            statuses.Add((await bad.GetAsync("/api/models")).StatusCode);
        }

        using var admin = _factory.CreateHttpClient();
        using var served = await admin.GetAsync("/api/models");

        Assert.InRange(statuses.Count(s => s == HttpStatusCode.Unauthorized), 10, 14);
        Assert.Contains(HttpStatusCode.TooManyRequests, statuses);
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
    }

    [Theory]
    [InlineData("Kiln:RateLimits:Roles:emperor:PerSecond", "5", "names no role")]
    [InlineData("Kiln:RateLimits:Anonymous:PerSecond", "-1", "Anonymous")]
    [InlineData("Kiln:RateLimits:Deployments:bank:Burst", "0", "Deployments:bank")]
    public void BadSettings_StopTheStartNamingThem(string key, string value, string expected)
    {
        using var factory = new KilnAppFactory(settings: new Dictionary<string, string?> { [key] = value, ["Kiln:RateLimits:Deployments:bank:PerSecond"] = "1" });

        var error = Assert.ThrowsAny<Exception>(() => factory.CreateClient());

        Assert.Contains(expected, error.ToString(), StringComparison.Ordinal);
    }
}
