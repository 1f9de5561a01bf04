using System.Collections.Concurrent;
using System.Net;
using Kiln.Client;
using Kiln.Server.Tests.Support;

namespace Kiln.Server.Tests;

/// <summary>R1/F13: switching versions under concurrent load fails no request.</summary>
public sealed class HotSwapTests : IDisposable
{
    private readonly KilnAppFactory _factory = new();

    [Fact]
    public async Task Deploy_SwitchingVersionsUnderLoad_FailsNoRequest()
    {
        using var client = _factory.CreateKilnClient();
        await client.RegisterAsync("m", TestModels.PathOf("gbt_sklearn.onnx"), new RegisterOptions { FeatureNames = TestModels.GbtFeatureNames });
        await client.RegisterAsync("m", TestModels.PathOf("mlflow_colspec"));
        await client.DeployAsync("live", "m/1");

        using var stop = new CancellationTokenSource();
        var failures = new ConcurrentBag<string>();
        var versionsSeen = new ConcurrentDictionary<string, int>();
        var sent = 0;
        var load = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            using var http = _factory.CreateHttpClient();
            while (!stop.IsCancellationRequested)
            {
                using var response = await http.PostAsync("/v1/models/live:predict", Requests.Json("""{"instances":[{"age":41,"balance":1200,"day":5,"duration":300,"campaign":2,"pdays":-1,"previous":0}]}"""));
                Interlocked.Increment(ref sent);
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    failures.Add($"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
                }
                else
                {
                    versionsSeen.AddOrUpdate(response.Headers.GetValues("Kiln-Model-Version").Single(), 1, (_, n) => n + 1);
                }
            }
        })).ToArray();

        // Every switch happens under load: wait for requests to flow before the first switch and
        // between switches, counting completed requests rather than trusting timing on a busy machine.
        await WaitForRequestsAsync(() => Volatile.Read(ref sent), 50);
        for (var i = 0; i < 10; i++)
        {
            await client.DeployAsync("live", i % 2 == 0 ? "m/2" : "m/1");
            await WaitForRequestsAsync(() => Volatile.Read(ref sent), Volatile.Read(ref sent) + 10);
        }

        await stop.CancelAsync();
        await Task.WhenAll(load);

        Assert.Empty(failures);
        Assert.True(sent >= 150, $"only {sent} requests were sent");
        Assert.Contains("1", versionsSeen.Keys);
        Assert.Contains("2", versionsSeen.Keys);
    }

    private static async Task WaitForRequestsAsync(Func<int> sent, int target)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (sent() < target)
        {
            Assert.True(DateTime.UtcNow < deadline, "the load stopped making progress");
            await Task.Delay(5);
        }
    }

    public void Dispose() => _factory.Dispose();
}
