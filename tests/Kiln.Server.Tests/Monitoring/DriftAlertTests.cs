using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Kiln.Client;
using Kiln.Core.Monitoring.Alerts;
using Kiln.Monitoring.Alerts;
using Kiln.Monitoring.Sketches;
using Kiln.Server.Tests.Support;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Kiln.Server.Tests.Monitoring;

/// <summary>The whole monitoring loop on a real server: traffic is logged and profiled, drift is injected, the alert fires, and resolves.</summary>
public sealed class DriftAlertTests : IDisposable
{
    private static readonly double[] Means = [41, 1400, 16, 260, 2.7, 40, 0.6];
    private static readonly double[] Deviations = [10, 3000, 8, 250, 3, 100, 2];

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly KilnAppFactory _factory = new(settings: new Dictionary<string, string?> { ["Kiln:Monitoring:Alerts:Interval"] = "01:00:00" });
    private readonly Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<Program> _server;

    public DriftAlertTests() =>
        _server = _factory.WithWebHostBuilder(builder => builder.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(_time)));

    [Fact]
    public async Task DatasetDrift_InjectedThenGone_AlertGoesPendingFiringResolved()
    {
        using var client = new KilnClient(Authorized(), KilnAppFactory.AdminKey);
        using var http = Authorized();
        await client.RegisterAsync("gbt", TestModels.PathOf("gbt_sklearn.onnx"), new RegisterOptions { FeatureNames = TestModels.GbtFeatureNames });
        await client.SetProfileAsync("gbt", 1, Profile(new Random(1), rows: 5000));
        await client.DeployAsync("bank", "gbt/1");
        (await http.PostAsJsonAsync("/api/alerts/rules", new AlertRuleRequest(
            Name: "bank-drift", Kind: "dataset_drift", Threshold: 0.5, Deployment: "bank", Comparison: "ge", Window: "1m", For: "30s"))).EnsureSuccessStatusCode();
        var evaluator = _server.Services.GetRequiredService<AlertEvaluator>();
        var random = new Random(2);

        await SendAsync(http, random, shift: 0);
        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(AlertStatus.Inactive, await StatusAsync(evaluator));

        _time.Advance(TimeSpan.FromSeconds(90));
        await SendAsync(http, random, shift: 2);
        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(AlertStatus.Pending, await StatusAsync(evaluator));
        _time.Advance(TimeSpan.FromSeconds(35));
        Assert.Equal(AlertStatus.Firing, await StatusAsync(evaluator));

        var drift = await (await http.GetAsync("/api/deployments/bank/drift?window=1m")).ReadJsonAsync();
        Assert.True(drift.GetProperty("datasetDrift").GetBoolean());
        foreach (var feature in drift.GetProperty("features").EnumerateArray())
        {
            // Each feature carries both distributions on the reference's bins, as shares; a drifted one is past its threshold.
            var histogram = feature.GetProperty("histogram");
            Assert.Equal(histogram.GetProperty("bins").GetArrayLength(), histogram.GetProperty("current").GetArrayLength());
            Assert.Equal(1, histogram.GetProperty("reference").EnumerateArray().Sum(v => v.GetDouble()), 6);
            Assert.Equal(1, histogram.GetProperty("current").EnumerateArray().Sum(v => v.GetDouble()), 6);
            Assert.Equal(feature.GetProperty("drifted").GetBoolean(), feature.GetProperty("severity").GetDouble() >= 1);
        }

        _time.Advance(TimeSpan.FromMinutes(2));
        await SendAsync(http, random, shift: 0);
        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(AlertStatus.Resolved, await StatusAsync(evaluator));

        var history = await (await http.GetAsync("/api/alerts/history?deployment=bank")).ReadJsonAsync();
        var statuses = history.EnumerateArray().Where(t => t.GetProperty("ruleName").GetString() == "bank-drift").Select(t => t.GetProperty("to").GetString()).ToArray();
        Assert.Contains("firing", statuses);
        Assert.Contains("resolved", statuses);

        // Window by window: calm, then the shifted minute drifted (with its features named), then calm again.
        var windows = (await (await http.GetAsync("/api/deployments/bank/drift/history?since=10m&window=1m")).ReadJsonAsync()).GetProperty("windows").EnumerateArray().ToArray();
        Assert.Equal([false, true, false], windows.Select(w => w.GetProperty("datasetDrift").GetBoolean()));
        Assert.NotEmpty(windows[1].GetProperty("driftedFeatures").EnumerateArray());
        Assert.All(windows, w => Assert.Equal(300, w.GetProperty("rows").GetInt64()));
    }

    private async Task<AlertStatus> StatusAsync(AlertEvaluator evaluator)
    {
        await evaluator.EvaluateAsync(_time.GetUtcNow());
        var states = await _server.Services.GetRequiredService<IAlertStore>().ListStatesAsync(CancellationToken.None);
        return states.Single(s => s.RuleName == "bank-drift" && s.Deployment == "bank").Status;
    }

    private static async Task SendAsync(HttpClient http, Random random, double shift)
    {
        for (var request = 0; request < 3; request++)
        {
            var data = new JsonArray();
            for (var row = 0; row < 100; row++)
            {
                for (var f = 0; f < Means.Length; f++)
                {
                    data.Add(Normal(random, Means[f] + (shift * Deviations[f]), Deviations[f]));
                }
            }

            var body = new JsonObject { ["inputs"] = new JsonArray(new JsonObject { ["name"] = "float_input", ["shape"] = new JsonArray(100, 7), ["datatype"] = "FP32", ["data"] = data }) };
            (await http.PostJsonAsync("/v2/models/bank/infer", body)).EnsureSuccessStatusCode();
        }
    }

    private static Core.Packaging.DataProfile Profile(Random random, int rows)
    {
        var columns = TestModels.GbtFeatureNames.Select(name => ColumnSketch.CreateNumeric(name)).ToArray();
        for (var row = 0; row < rows; row++)
        {
            for (var f = 0; f < columns.Length; f++)
            {
                columns[f].Numeric!.Add(Normal(random, Means[f], Deviations[f]));
            }
        }

        var sketch = new ProfileSketch(columns);
        sketch.AddRows(rows);
        return sketch.ToDataProfile();
    }

    private static double Normal(Random random, double mean, double deviation) =>
        mean + (deviation * Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));

    private HttpClient Authorized()
    {
        var http = _server.CreateClient();
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", KilnAppFactory.AdminKey);
        return http;
    }

    public void Dispose()
    {
        _server.Dispose();
        _factory.Dispose();
    }
}
