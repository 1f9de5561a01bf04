using System.Globalization;
using System.Text.Json.Nodes;
using Kiln.Client;
using Kiln.Server.Tests.Support;

namespace Kiln.Server.Tests.Monitoring;

public sealed class QualityVersionsTests : IDisposable
{
    private readonly KilnAppFactory _factory = new();

    [Fact]
    public async Task Quality_TwoVersionsInOneWindow_CountsEachVersionsPredictionsAndLabels()
    {
        using var client = _factory.CreateKilnClient();
        await client.RegisterAsync("gbt", TestModels.PathOf("gbt_sklearn.onnx"), new RegisterOptions { FeatureNames = TestModels.GbtFeatureNames });
        await client.RegisterAsync("gbt", TestModels.PathOf("gbt_sklearn.onnx"), new RegisterOptions { FeatureNames = TestModels.GbtFeatureNames });
        await client.DeployAsync("bank", "gbt/1");
        using var http = _factory.CreateHttpClient();
        (await http.PutAsync("/api/deployments/bank/traffic", Requests.Json("""{"weights": {"1": 50, "2": 50}}"""))).EnsureSuccessStatusCode();
        var labels = new JsonArray();
        var served = new Dictionary<string, int>();
        for (var i = 0; i < 40; i++)
        {
            var body = JsonNode.Parse($$"""{"id": "m{{i}}", "inputs": [{"name": "float_input", "shape": [1, 7], "datatype": "FP32", "data": [{{30 + i}}, 100, 5, 200, 1, -1, 0]}]}""")!;
            var response = await http.PostJsonAsync("/v2/models/bank/infer", body);
            response.EnsureSuccessStatusCode();
            var version = response.Headers.GetValues("Kiln-Model-Version").Single();
            served[version] = served.GetValueOrDefault(version) + 1;
            if (i % 2 == 0)
            {
                labels.Add(new JsonObject { ["request_id"] = $"m{i}", ["value"] = 1 });
            }
        }

        (await http.PostJsonAsync("/api/deployments/bank/ground-truth", new JsonObject { ["labels"] = labels })).EnsureSuccessStatusCode();

        var report = await (await http.GetAsync("/api/deployments/bank/quality?window=1d&since=1h")).ReadJsonAsync();

        var versions = report.GetProperty("versions").EnumerateArray().ToArray();
        Assert.Equal(served.Count, versions.Length);
        foreach (var version in versions)
        {
            var number = version.GetProperty("modelVersion").GetInt32().ToString(CultureInfo.InvariantCulture);
            var window = Assert.Single(version.GetProperty("windows").EnumerateArray());
            Assert.Equal(served[number], window.GetProperty("predictions").GetInt64());
            Assert.Equal(served[number], version.GetProperty("overall").GetProperty("predictions").GetInt64());
        }

        Assert.Equal(20, versions.Sum(v => v.GetProperty("overall").GetProperty("labelled").GetInt64()));
        Assert.Equal(40, report.GetProperty("overall").GetProperty("predictions").GetInt64());
    }

    public void Dispose() => _factory.Dispose();
}
