using System.Text.Json.Nodes;
using Kiln.Server.Tests.Support;

namespace Kiln.Server.Tests.Monitoring;

public sealed class QualityApiTests : IDisposable
{
    private readonly KilnAppFactory _factory = new();

    [Fact]
    public async Task Quality_Binary_EqualsIndependentComputationOnTheJoinedRows()
    {
        await Requests.DeployGbtAsync(_factory, "bank");
        using var http = _factory.CreateHttpClient();
        var random = new Random(7);
        var labels = new JsonArray();
        for (var i = 0; i < 60; i++)
        {
            var data = new JsonArray();
            foreach (var v in new double[] { random.Next(18, 90), random.Next(-500, 5000), random.Next(1, 31), random.Next(10, 900), random.Next(1, 6), -1, 0 })
            {
                data.Add(v);
            }

            var body = new JsonObject
            {
                ["id"] = $"q{i}",
                ["inputs"] = new JsonArray(new JsonObject { ["name"] = "float_input", ["shape"] = new JsonArray(1, 7), ["datatype"] = "FP32", ["data"] = data }),
            };
            (await http.PostJsonAsync("/v2/models/bank/infer", body)).EnsureSuccessStatusCode();
            if (i % 4 != 3)
            {
                labels.Add(new JsonObject { ["request_id"] = $"q{i}", ["value"] = random.Next(2) });
            }
        }

        (await http.PostJsonAsync("/api/deployments/bank/ground-truth", new JsonObject { ["labels"] = labels })).EnsureSuccessStatusCode();
        var logged = (await (await http.GetAsync("/api/deployments/bank/predictions?limit=1000")).ReadJsonAsync()).GetProperty("predictions").EnumerateArray()
            .Where(r => r.TryGetProperty("label", out _))
            .Select(r => (Actual: r.GetProperty("label").GetString() == "1", Predicted: r.GetProperty("prediction").GetString() == "1", Score: r.GetProperty("score").GetDouble()))
            .ToArray();

        var report = await (await http.GetAsync("/api/deployments/bank/quality?window=1d&since=1h")).ReadJsonAsync();

        var overall = report.GetProperty("overall");
        var metrics = overall.GetProperty("metrics");
        Assert.Equal("binary", report.GetProperty("task").GetString());
        Assert.Equal(60, overall.GetProperty("predictions").GetInt64());
        Assert.Equal(45, overall.GetProperty("labelled").GetInt64());
        Assert.Equal(0.75, overall.GetProperty("labelCoverage").GetDouble(), 12);
        Assert.Equal(45, logged.Length);
        var tp = logged.Count(r => r.Actual && r.Predicted);
        var fp = logged.Count(r => !r.Actual && r.Predicted);
        var fn = logged.Count(r => r.Actual && !r.Predicted);
        Assert.Equal(logged.Count(r => r.Actual == r.Predicted) / 45.0, metrics.GetProperty("accuracy").GetDouble(), 12);
        Assert.Equal(tp + fp == 0 ? 0 : tp / (double)(tp + fp), metrics.GetProperty("precision").GetDouble(), 12);
        Assert.Equal(tp + fn == 0 ? 0 : tp / (double)(tp + fn), metrics.GetProperty("recall").GetDouble(), 12);
        Assert.Equal(logged.Count(r => r.Predicted) / 45.0, metrics.GetProperty("positive_rate").GetDouble(), 12);
        Assert.Equal(PairwiseAuc(logged), metrics.GetProperty("roc_auc").GetDouble(), 9);
        var logLoss = -logged.Average(r => r.Actual ? Math.Log(Math.Clamp(r.Score, 1e-15, 1 - 1e-15)) : Math.Log(1 - Math.Clamp(r.Score, 1e-15, 1 - 1e-15)));
        Assert.Equal(logLoss, metrics.GetProperty("log_loss").GetDouble(), 9);
        var version = Assert.Single(report.GetProperty("versions").EnumerateArray());
        Assert.Equal(1, version.GetProperty("modelVersion").GetInt32());
        Assert.Equal(45, Assert.Single(version.GetProperty("windows").EnumerateArray()).GetProperty("labelled").GetInt64());

        // A range of whole minutes is read from the stored per-minute summaries alone, not the rows: the same report.
        var minute = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 60_000 * 60_000);
        var whole = await (await http.GetAsync($"/api/deployments/bank/quality?window=1m&since={Uri.EscapeDataString($"{minute.AddMinutes(-30):O}")}&until={Uri.EscapeDataString($"{minute.AddMinutes(2):O}")}")).ReadJsonAsync();
        var fromMinutes = whole.GetProperty("overall");
        Assert.Equal((60L, 45L), (fromMinutes.GetProperty("predictions").GetInt64(), fromMinutes.GetProperty("labelled").GetInt64()));
        foreach (var name in new[] { "accuracy", "precision", "recall", "f1", "positive_rate", "roc_auc", "log_loss" })
        {
            Assert.Equal(metrics.GetProperty(name).GetDouble(), fromMinutes.GetProperty("metrics").GetProperty(name).GetDouble(), 12);
        }

        Assert.Equal(45, Assert.Single(whole.GetProperty("versions").EnumerateArray()).GetProperty("windows").EnumerateArray().Sum(w => w.GetProperty("labelled").GetInt64()));
    }

    [Fact]
    public async Task Quality_LastN_UsesOnlyTheMostRecentLabelledRows()
    {
        await Requests.DeployGbtAsync(_factory, "bank");
        using var http = _factory.CreateHttpClient();
        var labels = new JsonArray();
        for (var i = 0; i < 10; i++)
        {
            var body = JsonNode.Parse($$"""{"id": "n{{i}}", "inputs": [{"name": "float_input", "shape": [1, 7], "datatype": "FP32", "data": [{{30 + i}}, 100, 5, 200, 1, -1, 0]}]}""")!;
            (await http.PostJsonAsync("/v2/models/bank/infer", body)).EnsureSuccessStatusCode();
            labels.Add(new JsonObject { ["request_id"] = $"n{i}", ["value"] = i % 2 });
        }

        (await http.PostJsonAsync("/api/deployments/bank/ground-truth", new JsonObject { ["labels"] = labels })).EnsureSuccessStatusCode();

        var report = await (await http.GetAsync("/api/deployments/bank/quality?last=4")).ReadJsonAsync();

        Assert.Equal(4, report.GetProperty("overall").GetProperty("labelled").GetInt64());
        Assert.Equal(4, report.GetProperty("last").GetInt32());
    }

    [Theory]
    [InlineData("window=5x", "window")]
    [InlineData("since=yesterday", "since")]
    [InlineData("last=0", "last")]
    [InlineData("since=1h&until=2h", "since")]
    public async Task Quality_BadQuery_Is400NamingTheParameter(string query, string field)
    {
        await Requests.DeployGbtAsync(_factory, "bank");
        using var http = _factory.CreateHttpClient();

        var response = await http.GetAsync($"/api/deployments/bank/quality?{query}");

        Assert.Equal(System.Net.HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(field, (await response.ReadJsonAsync()).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Drift_ImportedModelWithoutProfile_SaysHowToAddOne()
    {
        await Requests.DeployGbtAsync(_factory, "bank");
        using var http = _factory.CreateHttpClient();
        var body = JsonNode.Parse("""{"inputs": [{"name": "float_input", "shape": [1, 7], "datatype": "FP32", "data": [41, 100, 5, 200, 1, -1, 0]}]}""")!;
        (await http.PostJsonAsync("/v2/models/bank/infer", body)).EnsureSuccessStatusCode();

        var report = await (await http.GetAsync("/api/deployments/bank/drift?window=1h")).ReadJsonAsync();

        Assert.Equal(1, report.GetProperty("currentRows").GetInt64());
        Assert.False(report.GetProperty("datasetDrift").GetBoolean());
        Assert.Contains(report.GetProperty("notes").EnumerateArray(), n => n.GetString()!.Contains("kiln models profile gbt/1"));
    }

    private static double PairwiseAuc((bool Actual, bool Predicted, double Score)[] rows)
    {
        var positives = rows.Where(r => r.Actual).Select(r => r.Score).ToArray();
        var negatives = rows.Where(r => !r.Actual).Select(r => r.Score).ToArray();
        double wins = 0;
        foreach (var p in positives)
        {
            foreach (var n in negatives)
            {
                wins += p > n ? 1 : p == n ? 0.5 : 0;
            }
        }

        return wins / (positives.Length * (double)negatives.Length);
    }

    public void Dispose() => _factory.Dispose();
}
