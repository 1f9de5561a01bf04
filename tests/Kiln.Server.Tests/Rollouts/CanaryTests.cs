using System.Text.Json;
using Kiln.Core.Monitoring.Alerts;
using Kiln.Monitoring.Traffic;
using Kiln.Server.Rollouts;

namespace Kiln.Server.Tests.Rollouts;

/// <summary>Automated canaries on a fake clock: promoted step by step when healthy, rolled back on errors, held without traffic.</summary>
public sealed class CanaryTests : IDisposable
{
    private static readonly TimeSpan PastInterval = TimeSpan.FromSeconds(61);

    private readonly RolloutServer _server = new(fakeTime: true);

    // Identical models timed on the wall clock: a canary step has a few dozen requests, so its p99 is nearly its
    // slowest request, and one GC pause on a busy test machine would fail a tight ratio. Latency is not what these
    // tests are about; the error-rate check (and its rollback) is.
    private static object Canary(string model, string? promoteAlias = null) => new
    {
        model,
        steps = new[] { 10, 50, 100 },
        interval = "1m",
        minRequests = 20,
        maxLatencyRatio = 1000.0,
        qualityMetric = "none",
        promoteAlias,
    };

    [Fact]
    public async Task Canary_HealthyThroughEveryStep_PromotedAndAliasMoved()
    {
        await _server.DeployAsync("c", versions: 2);
        using var http = _server.Http();
        var controller = _server.Service<CanaryController>();
        var started = await RolloutServer.SendAsync(http, HttpMethod.Post, "/api/deployments/c/canary", Canary("gbt/2", promoteAlias: "champion"));
        Assert.Equal([90, 10], Weights(started));

        var first = await _server.LoadAsync("c", 500);
        Assert.True(first.GetValueOrDefault("2") >= 20, $"the canary got {first.GetValueOrDefault("2")} of 500 requests");
        _server.Time!.Advance(PastInterval);
        await controller.RunOnceAsync(CancellationToken.None);
        Assert.Equal(new[] { 50, 50 }, Weights(await Deployment(http)));

        await _server.LoadAsync("c", 200);
        _server.Time.Advance(PastInterval);
        await controller.RunOnceAsync(CancellationToken.None);

        var promoted = await Deployment(http);
        var variant = Assert.Single(promoted.GetProperty("deployment").GetProperty("variants").EnumerateArray());
        Assert.Equal(2, variant.GetProperty("modelVersion").GetInt32());
        Assert.Equal("primary", variant.GetProperty("role").GetString());
        Assert.False(promoted.GetProperty("deployment").TryGetProperty("canary", out var rollout) && rollout.ValueKind != JsonValueKind.Null);
        Assert.Equal(["2"], (await _server.LoadAsync("c", 50)).Keys);
        var alias = await RolloutServer.SendAsync(http, HttpMethod.Get, "/api/models/gbt/aliases/champion");
        Assert.Equal(2, alias.GetProperty("version").GetInt32());

        var history = (await RolloutServer.SendAsync(http, HttpMethod.Get, "/api/deployments/c/history")).EnumerateArray().ToArray();
        Assert.Equal(["canary_promote", "canary_step", "canary_start", "deploy"], history.Select(r => r.GetProperty("change").GetString()));
        Assert.Equal(CanaryController.Actor, history[0].GetProperty("actor").GetString());
        Assert.Equal(CanaryController.Actor, history[1].GetProperty("actor").GetString());
        Assert.Equal(RolloutServer.AdminActor, history[2].GetProperty("actor").GetString());
        Assert.Contains("Complete after step 2/2", history[0].GetProperty("reason").GetString());
        Assert.Contains("Advance from step 1/2", history[1].GetProperty("reason").GetString());
        Assert.Contains("error rate", history[1].GetProperty("reason").GetString());
    }

    [Fact]
    public async Task Canary_ServerErrorsOnCanary_RolledBackWithEvent()
    {
        await _server.DeployAsync("c", versions: 2);
        using var http = _server.Http();
        var controller = _server.Service<CanaryController>();
        await RolloutServer.SendAsync(http, HttpMethod.Post, "/api/deployments/c/canary", Canary("gbt/2"));
        await _server.LoadAsync("c", 100);

        // A third of the canary's requests fail; the primary's all succeed.
        var traffic = _server.Service<TrafficWindows>();
        for (var i = 0; i < 300; i++)
        {
            traffic.Record("c", "primary", 200, 0.001);
        }

        for (var i = 0; i < 30; i++)
        {
            traffic.Record("c", "canary", i % 3 == 0 ? 500 : 200, 0.001);
        }

        using var events = _server.Service<IAlertEventStream>().Subscribe();
        _server.Time!.Advance(TimeSpan.FromSeconds(5)); // mid-step: a failed check does not wait for the interval
        await controller.RunOnceAsync(CancellationToken.None);

        var deployment = await Deployment(http);
        var variant = Assert.Single(deployment.GetProperty("deployment").GetProperty("variants").EnumerateArray());
        Assert.Equal(1, variant.GetProperty("modelVersion").GetInt32());
        Assert.Equal(["1"], (await _server.LoadAsync("c", 50)).Keys);

        var latest = (await RolloutServer.SendAsync(http, HttpMethod.Get, "/api/deployments/c/history"))[0];
        Assert.Equal("canary_rollback", latest.GetProperty("change").GetString());
        Assert.Equal(CanaryController.Actor, latest.GetProperty("actor").GetString());
        Assert.Contains("error rate", latest.GetProperty("reason").GetString());

        var published = await events.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal("canary.rolled_back", published.Kind);
        Assert.Equal("c", published.Deployment);
        Assert.Contains("error rate", published.Description);
    }

    [Fact]
    public async Task Canary_TooLittleTraffic_Holds()
    {
        await _server.DeployAsync("c", versions: 2);
        using var http = _server.Http();
        await RolloutServer.SendAsync(http, HttpMethod.Post, "/api/deployments/c/canary", Canary("gbt/2"));
        await _server.LoadAsync("c", 20, clients: 1);
        _server.Time!.Advance(PastInterval);

        var status = await RolloutServer.SendAsync(http, HttpMethod.Get, "/api/deployments/c/canary");
        Assert.Equal("hold", status.GetProperty("decision").GetString());
        Assert.Contains("requests", status.GetProperty("reason").GetString());
        Assert.Equal(0, status.GetProperty("canary").GetProperty("step").GetInt32());

        await _server.Service<CanaryController>().RunOnceAsync(CancellationToken.None);
        Assert.Equal(new[] { 90, 10 }, Weights(await Deployment(http)));
        Assert.Equal("canary_start", (await RolloutServer.SendAsync(http, HttpMethod.Get, "/api/deployments/c/history"))[0].GetProperty("change").GetString());
    }

    [Fact]
    public async Task CanaryController_OverlappingRuns_StepOnce()
    {
        await _server.DeployAsync("c", versions: 2);
        using var http = _server.Http();
        var controller = _server.Service<CanaryController>();
        await RolloutServer.SendAsync(http, HttpMethod.Post, "/api/deployments/c/canary", Canary("gbt/2"));
        await _server.LoadAsync("c", 500);
        _server.Time!.Advance(PastInterval);

        // The timer's run and an explicit one (or two timer ticks) may overlap; the step is judged once.
        await Task.WhenAll(controller.RunOnceAsync(CancellationToken.None), controller.RunOnceAsync(CancellationToken.None));

        var changes = (await RolloutServer.SendAsync(http, HttpMethod.Get, "/api/deployments/c/history")).EnumerateArray().Select(r => r.GetProperty("change").GetString());
        Assert.Equal(["canary_step", "canary_start", "deploy"], changes);
        Assert.Equal(new[] { 50, 50 }, Weights(await Deployment(http)));
    }

    private static Task<JsonElement> Deployment(HttpClient http) => RolloutServer.SendAsync(http, HttpMethod.Get, "/api/deployments/c");

    private static int[] Weights(JsonElement view) =>
        [.. view.GetProperty("deployment").GetProperty("variants").EnumerateArray().Select(v => v.GetProperty("weight").GetInt32())];

    public void Dispose() => _server.Dispose();
}
