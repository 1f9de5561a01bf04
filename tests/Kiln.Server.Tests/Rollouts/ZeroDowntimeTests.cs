using System.Collections.Concurrent;
using Kiln.Server.Rollouts;

namespace Kiln.Server.Tests.Rollouts;

/// <summary>R1: every kind of rollout change happens under concurrent load, and no request fails.</summary>
public sealed class ZeroDowntimeTests : IDisposable
{
    private readonly RolloutServer _server = new(fakeTime: true);

    [Fact]
    public async Task Rollouts_EveryChangeUnderLoad_FailNoRequest()
    {
        await _server.DeployAsync("live", versions: 3);
        using var http = _server.Http();
        using var stop = new CancellationTokenSource();
        var failures = new ConcurrentBag<string>();
        var versions = new ConcurrentDictionary<string, int>();
        var sent = 0;
        var load = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            using var client = _server.Http();
            while (!stop.IsCancellationRequested)
            {
                var (status, version) = await RolloutServer.PredictAsync(client, "live");
                Interlocked.Increment(ref sent);
                if (status != 200 || version.Length == 0)
                {
                    failures.Add($"{status} '{version}'");
                }

                versions.AddOrUpdate(version, 1, (_, n) => n + 1);
            }
        })).ToArray();

        async Task Change(HttpMethod method, string path, object? body = null)
        {
            await WaitForRequestsAsync(() => Volatile.Read(ref sent), Volatile.Read(ref sent) + 40);
            await RolloutServer.SendAsync(http, method, $"/api/deployments/live{path}", body);
        }

        await Change(HttpMethod.Put, "/traffic", new { weights = new Dictionary<string, int> { ["1"] = 80, ["2"] = 20 } });
        await Change(HttpMethod.Put, "/traffic", new { weights = new Dictionary<string, int> { ["1"] = 30, ["2"] = 70 } });
        await Change(HttpMethod.Put, "/traffic", new { weights = new Dictionary<string, int> { ["1"] = 100 } });
        await Change(HttpMethod.Post, "/canary", new { model = "gbt/3", steps = new[] { 20, 50, 100 }, interval = "1m", minRequests = 20, maxLatencyRatio = 1000.0, qualityMetric = "none" });
        await WaitForRequestsAsync(() => Volatile.Read(ref sent), Volatile.Read(ref sent) + 300);
        _server.Time!.Advance(TimeSpan.FromSeconds(61));
        await _server.Service<CanaryController>().RunOnceAsync(CancellationToken.None);
        await Change(HttpMethod.Post, "/canary/promote", new { reason = "looks good" });
        await Change(HttpMethod.Post, "/bluegreen", new { model = "gbt/2" });
        await Change(HttpMethod.Put, "/shadow", new { model = "gbt/1", sample = 1.0 });
        await Change(HttpMethod.Delete, "/shadow");
        await Change(HttpMethod.Post, "/rollback", new { });
        await Change(HttpMethod.Post, "/rollback", new { toRevision = 1 });
        await WaitForRequestsAsync(() => Volatile.Read(ref sent), Volatile.Read(ref sent) + 40);

        await stop.CancelAsync();
        await Task.WhenAll(load);

        Assert.Empty(failures);
        Assert.Subset(new HashSet<string> { "1", "2", "3" }, versions.Keys.ToHashSet());
        Assert.Equal(3, versions.Count);
        var changes = (await RolloutServer.SendAsync(http, HttpMethod.Get, "/api/deployments/live/history")).EnumerateArray().Select(r => r.GetProperty("change").GetString()!).ToArray();
        Assert.Equal(
            ["rollback", "rollback", "shadow_remove", "shadow", "bluegreen", "canary_promote", "canary_step", "canary_start", "traffic", "traffic", "traffic", "deploy"],
            changes);
    }

    private static async Task WaitForRequestsAsync(Func<int> sent, int target)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (sent() < target)
        {
            Assert.True(DateTime.UtcNow < deadline, "the load stopped making progress");
            await Task.Delay(5);
        }
    }

    public void Dispose() => _server.Dispose();
}
