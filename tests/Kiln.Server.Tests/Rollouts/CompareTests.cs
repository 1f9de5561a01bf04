using System.Net;
using System.Text.Json.Nodes;
using Kiln.Server.Tests.Support;

namespace Kiln.Server.Tests.Rollouts;

public sealed class CompareTests : IDisposable
{
    private readonly RolloutServer _server = new();

    [Fact]
    public async Task Compare_AbSplitWithLabels_ReportsBothVariantsWithIntervalsAndATest()
    {
        await _server.DeployAsync("cc", versions: 2);
        using var http = _server.Http();
        await RolloutServer.SendAsync(http, HttpMethod.Put, "/api/deployments/cc/traffic", new { weights = new Dictionary<string, int> { ["1"] = 50, ["2"] = 50 } });
        var labels = new JsonArray();
        var correct = new Dictionary<string, (int Right, int All)>();
        for (var i = 0; i < 120; i++)
        {
            var body = JsonNode.Parse($$"""{"id": "c{{i}}", "inputs": [{"name": "float_input", "shape": [1, 7], "datatype": "FP32", "data": [{{20 + (i % 60)}}, {{i * 37 % 4000}}, 5, {{60 + (i * 13 % 800)}}, 1, -1, 0]}]}""")!;
            var response = await http.PostJsonAsync("/v2/models/cc/infer", body);
            response.EnsureSuccessStatusCode();
            var json = await response.ReadJsonAsync();
            var version = response.Headers.GetValues("Kiln-Model-Version").Single();
            var predicted = json.GetProperty("outputs").EnumerateArray().First(o => o.GetProperty("name").GetString() == "output_label").GetProperty("data")[0].GetRawText();
            var truth = i % 3 == 0 ? "1" : "0";
            labels.Add(new JsonObject { ["request_id"] = $"c{i}", ["value"] = int.Parse(truth, System.Globalization.CultureInfo.InvariantCulture) });
            var (right, all) = correct.GetValueOrDefault(version);
            correct[version] = (right + (predicted == truth ? 1 : 0), all + 1);
        }

        (await http.PostJsonAsync("/api/deployments/cc/ground-truth", new JsonObject { ["labels"] = labels })).EnsureSuccessStatusCode();

        var report = await RolloutServer.SendAsync(http, HttpMethod.Get, "/api/deployments/cc/compare?since=1h&champion=1&challenger=2");

        foreach (var side in new[] { "champion", "challenger" })
        {
            var variant = report.GetProperty(side);
            var version = variant.GetProperty("modelVersion").GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture);
            var (right, all) = correct[version];
            Assert.Equal(all, variant.GetProperty("labelled").GetInt64());
            Assert.Equal((double)right / all, variant.GetProperty("accuracy").GetDouble(), 12);
            Assert.InRange(variant.GetProperty("accuracy").GetDouble(), variant.GetProperty("accuracyLower").GetDouble(), variant.GetProperty("accuracyUpper").GetDouble());
        }

        var difference = report.GetProperty("accuracyDifference");
        Assert.Equal(report.GetProperty("challenger").GetProperty("accuracy").GetDouble() - report.GetProperty("champion").GetProperty("accuracy").GetDouble(), difference.GetProperty("estimate").GetDouble(), 12);
        Assert.InRange(difference.GetProperty("pValue").GetDouble(), 0, 1);
        Assert.False(string.IsNullOrWhiteSpace(report.GetProperty("verdict").GetString()));
    }

    [Fact]
    public async Task Compare_NoLabels_Is400SayingSo()
    {
        await _server.DeployAsync("cc", versions: 2);
        using var http = _server.Http();
        Assert.Equal(200, (await RolloutServer.PredictAsync(http, "cc")).Status);

        var response = await http.GetAsync("/api/deployments/cc/compare?champion=1&challenger=2");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("ground truth", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    public void Dispose() => _server.Dispose();
}
