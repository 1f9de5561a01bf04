using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Kiln.Client;
using Kiln.Server.Tests.Support;

namespace Kiln.Server.Tests.Monitoring;

public sealed class PredictionLogApiTests : IDisposable
{
    private readonly KilnAppFactory _factory = new();

    private static JsonObject Rows(string id, int count)
    {
        var data = new JsonArray();
        for (var r = 0; r < count; r++)
        {
            foreach (var v in new[] { 41.0 + r, 2.0, 1500.0, 12.0, 300.0, 1.0, -1.0 })
            {
                data.Add(v);
            }
        }

        return new JsonObject
        {
            ["id"] = id,
            ["inputs"] = new JsonArray(new JsonObject { ["name"] = "float_input", ["shape"] = new JsonArray(count, 7), ["datatype"] = "FP32", ["data"] = data }),
        };
    }

    private async Task<HttpClient> DeployAsync(double? sampleRate = null)
    {
        await Requests.DeployGbtAsync(_factory, "bank");
        if (sampleRate is not null)
        {
            using var client = _factory.CreateKilnClient();
            await client.DeployAsync("bank", "gbt@champion", sampleRate);
        }

        return _factory.CreateHttpClient();
    }

    [Fact]
    public async Task Infer_EveryRow_IsLoggedWithIdVersionFeaturesAndPrediction()
    {
        using var http = await DeployAsync();
        (await http.PostJsonAsync("/v2/models/bank/infer", Rows("req-1", 3))).EnsureSuccessStatusCode();
        await http.PostAsync("/api/deployments/bank/ground-truth", Requests.Json("""{"labels": []}""")); // flushes the writer

        var page = await (await http.GetAsync("/api/deployments/bank/predictions")).ReadJsonAsync();

        var rows = page.GetProperty("predictions").EnumerateArray().ToArray();
        Assert.Equal(3, rows.Length);
        Assert.All(rows, r => Assert.Equal("req-1", r.GetProperty("requestId").GetString()));
        Assert.Equal([0, 1, 2], rows.Select(r => r.GetProperty("row").GetInt32()));
        Assert.All(rows, r => Assert.Equal(1, r.GetProperty("version").GetInt32()));
        Assert.Equal(42.0, rows[1].GetProperty("inputs").GetProperty(TestModels.GbtFeatureNames[0]).GetDouble());
        var score = rows[0].GetProperty("score").GetDouble();
        Assert.InRange(score, 0, 1);
        Assert.Equal(score, rows[0].GetProperty("outputs").GetProperty("output_probability").GetProperty("1").GetDouble(), 6);
    }

    [Fact]
    public async Task GroundTruth_AcceptedDuplicateUnknown_AreCountedAndReported()
    {
        using var http = await DeployAsync();
        (await http.PostJsonAsync("/v2/models/bank/infer", Rows("a", 2))).EnsureSuccessStatusCode();

        var response = await http.PostAsync("/api/deployments/bank/ground-truth", Requests.Json("""
            {"labels": [
              {"request_id": "a", "row": 0, "value": 1},
              {"request_id": "a", "row": 1, "value": "0"},
              {"request_id": "a", "value": 0},
              {"request_id": "nope", "row": 0, "value": 1},
              {"request_id": "a", "row": 7, "value": 1}
            ]}
            """));

        var result = await response.ReadJsonAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(5, result.GetProperty("received").GetInt32());
        Assert.Equal(2, result.GetProperty("accepted").GetInt32());
        Assert.Equal(1, result.GetProperty("duplicates").GetInt32());
        Assert.Equal(2, result.GetProperty("unknown").GetInt32());
        Assert.Equal(["a/0"], result.GetProperty("duplicateIds").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["nope/0", "a/7"], result.GetProperty("unknownIds").EnumerateArray().Select(e => e.GetString()));
        var rows = (await (await http.GetAsync("/api/deployments/bank/predictions")).ReadJsonAsync()).GetProperty("predictions").EnumerateArray().ToArray();
        Assert.Equal("1", rows[0].GetProperty("label").GetString());
        Assert.Equal("0", rows[1].GetProperty("label").GetString());
    }

    [Fact]
    public async Task GroundTruth_GeneratedRequestId_JoinsToo()
    {
        using var http = await DeployAsync();
        var body = Rows("x", 1);
        body.Remove("id");
        var infer = await http.PostJsonAsync("/v2/models/bank/infer", body);
        var requestId = infer.Headers.GetValues("Kiln-Request-Id").Single();

        var result = await (await http.PostAsync("/api/deployments/bank/ground-truth", Requests.Json($$"""{"labels": [{"request_id": "{{requestId}}", "value": 1}]}"""))).ReadJsonAsync();

        Assert.Equal(1, result.GetProperty("accepted").GetInt32());
    }

    [Theory]
    [InlineData("""{}""", "labels")]
    [InlineData("""{"labels": [{"row": 0, "value": 1}]}""", "labels[0].request_id")]
    [InlineData("""{"labels": [{"request_id": "a", "row": -1, "value": 1}]}""", "labels[0].row")]
    [InlineData("""{"labels": [{"request_id": "a"}]}""", "labels[0].value")]
    [InlineData("""{"labels": [{"request_id": "a", "value": [1]}]}""", "labels[0].value")]
    public async Task GroundTruth_BadInput_Is400NamingTheField(string body, string field)
    {
        using var http = await DeployAsync();

        var response = await http.PostAsync("/api/deployments/bank/ground-truth", Requests.Json(body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(field, (await response.ReadJsonAsync()).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task SampleRate_Zero_LogsNothing()
    {
        using var http = await DeployAsync(sampleRate: 0);
        for (var i = 0; i < 5; i++)
        {
            (await http.PostJsonAsync("/v2/models/bank/infer", Rows($"s{i}", 1))).EnsureSuccessStatusCode();
        }

        var result = await (await http.PostAsync("/api/deployments/bank/ground-truth", Requests.Json("""{"labels": [{"request_id": "s0", "value": 1}]}"""))).ReadJsonAsync();

        Assert.Equal(1, result.GetProperty("unknown").GetInt32());
        var page = await (await http.GetAsync("/api/deployments/bank/predictions")).ReadJsonAsync();
        Assert.Empty(page.GetProperty("predictions").EnumerateArray());
        Assert.Equal(0, (await _factory.CreateKilnClient().GetDeploymentAsync("bank")).Deployment.LogSampleRate);
    }

    [Fact]
    public async Task Export_Csv_HasHeaderFeaturesAndOneLinePerRow()
    {
        using var http = await DeployAsync();
        (await http.PostJsonAsync("/v2/models/bank/infer", Rows("e", 4))).EnsureSuccessStatusCode();

        var csv = await http.GetStringAsync("/api/deployments/bank/predictions/export?format=csv");

        var lines = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(5, lines.Length);
        Assert.StartsWith("id,timestamp,variant,model,version,request_id,row,latency_ms,prediction,score,label,labelled_at," + TestModels.GbtFeatureNames[0], lines[0]);
        Assert.Contains(",e,3,", lines[4]);
    }

    [Fact]
    public async Task Export_Parquet_IsAParquetFile()
    {
        using var http = await DeployAsync();
        (await http.PostJsonAsync("/v2/models/bank/infer", Rows("p", 2))).EnsureSuccessStatusCode();

        var bytes = await http.GetByteArrayAsync("/api/deployments/bank/predictions/export?format=parquet");

        Assert.Equal("PAR1"u8.ToArray(), bytes[..4]);
        Assert.Equal("PAR1"u8.ToArray(), bytes[^4..]);
    }

    [Fact]
    public async Task CustomMetrics_PostedPoints_AreAggregatedPerWindow()
    {
        using var http = await DeployAsync();
        var posted = await http.PostAsync("/api/deployments/bank/metrics", Requests.Json("""
            {"metrics": [{"name": "revenue", "value": 2}, {"name": "revenue", "value": 4}, {"name": "clicks", "value": 1, "request_id": "r", "row": 0}]}
            """));
        posted.EnsureSuccessStatusCode();

        var windows = await (await http.GetAsync("/api/deployments/bank/metrics?name=revenue&window=1d")).ReadJsonAsync();

        var window = Assert.Single(windows.EnumerateArray());
        Assert.Equal(2, window.GetProperty("count").GetInt64());
        Assert.Equal(3.0, window.GetProperty("mean").GetDouble());
        Assert.Equal(6.0, window.GetProperty("sum").GetDouble());
    }

    [Fact]
    public async Task LogStatus_CountsWrittenRows()
    {
        using var http = await DeployAsync();
        (await http.PostJsonAsync("/v2/models/bank/infer", Rows("c", 5))).EnsureSuccessStatusCode();
        await http.PostAsync("/api/deployments/bank/ground-truth", Requests.Json("""{"labels": []}"""));

        var status = await (await http.GetAsync("/api/monitoring/prediction-log")).ReadJsonAsync();

        Assert.True(status.GetProperty("writtenRows").GetInt64() >= 5);
        Assert.Equal(0, status.GetProperty("droppedRows").GetInt64());
    }

    public void Dispose() => _factory.Dispose();
}
