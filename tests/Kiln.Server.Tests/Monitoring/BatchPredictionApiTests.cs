using System.Net;
using System.Text.Json.Nodes;
using Kiln.Server.Tests.Support;

namespace Kiln.Server.Tests.Monitoring;

/// <summary>
/// <c>POST /api/deployments/{d}/batch-predictions</c>, on whichever backend the suite runs: rows scored elsewhere
/// are logged under variant <c>batch</c> at their row numbers within the batch, and ground truth finds them there.
/// </summary>
public sealed class BatchPredictionApiTests : IDisposable
{
    private readonly KilnAppFactory _factory = new();

    [Fact]
    public async Task Post_RowsFromTheMiddleOfABatch_AreLoggedAtTheirRowsAndJoinGroundTruth()
    {
        await Requests.DeployGbtAsync(_factory, "bank");
        using var http = _factory.CreateHttpClient();

        var accepted = await http.PostJsonAsync("/api/deployments/bank/batch-predictions", Body(firstRow: 1000, rows: 4));

        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        Assert.Equal(4, (await accepted.ReadJsonAsync()).GetProperty("rows").GetInt32());
        var labels = new JsonArray(
            new JsonObject { ["request_id"] = "batch-1", ["row"] = 1002, ["value"] = 1 },
            new JsonObject { ["request_id"] = "batch-1", ["row"] = 1003, ["value"] = 0 },
            new JsonObject { ["request_id"] = "batch-1", ["row"] = 2, ["value"] = 0 });
        var joined = await (await http.PostJsonAsync("/api/deployments/bank/ground-truth", new JsonObject { ["labels"] = labels })).ReadJsonAsync();
        Assert.Equal((2, 1), (joined.GetProperty("accepted").GetInt32(), joined.GetProperty("unknown").GetInt32()));
        var rows = (await (await http.GetAsync("/api/deployments/bank/predictions?limit=10")).ReadJsonAsync()).GetProperty("predictions").EnumerateArray().ToList();
        Assert.Equal(4, rows.Count);
        Assert.All(rows, r => Assert.Equal(("batch", "batch-1"), (r.GetProperty("variant").GetString(), r.GetProperty("requestId").GetString())));
        Assert.Equal([1000, 1001, 1002, 1003], rows.Select(r => r.GetProperty("row").GetInt32()).Order());
        var last = rows.Single(r => r.GetProperty("row").GetInt32() == 1003);
        Assert.Equal("1", last.GetProperty("prediction").GetString());
        Assert.Equal(0.7, last.GetProperty("score").GetDouble(), 6);
    }

    [Theory]
    [InlineData("model_version", "0", "model_version")]
    [InlineData("first_row", "-3", "first_row")]
    [InlineData("id", "\"\"", "id")]
    public async Task Post_BadHeader_Is400NamingTheField(string property, string json, string named)
    {
        await Requests.DeployGbtAsync(_factory, "bank");
        using var http = _factory.CreateHttpClient();
        var body = Body(0, 2);
        body[property] = JsonNode.Parse(json);

        var response = await http.PostJsonAsync("/api/deployments/bank/batch-predictions", body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(named, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Post_OutputsThatDoNotFitTheModel_Are400NamingTheTensor()
    {
        await Requests.DeployGbtAsync(_factory, "bank");
        using var http = _factory.CreateHttpClient();
        var wrongRows = Body(0, 2);
        wrongRows["predictions"]![0]!["shape"] = new JsonArray(3);
        var wrongName = Body(0, 2);
        wrongName["predictions"]![0]!["name"] = "nope";
        var wrongLabels = Body(0, 2);
        wrongLabels["predictions"]![1]!["parameters"] = new JsonObject { ["labels"] = new JsonArray("0") };

        foreach (var (body, named) in new[] { (wrongRows, "predictions[0].shape"), (wrongName, "predictions[0].name"), (wrongLabels, "predictions[1].parameters.labels") })
        {
            var response = await http.PostJsonAsync("/api/deployments/bank/batch-predictions", body);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains(named, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        Assert.Equal(HttpStatusCode.NotFound, (await http.PostJsonAsync("/api/deployments/none/batch-predictions", Body(0, 2))).StatusCode);
    }

    public void Dispose() => _factory.Dispose();

    /// <summary>A body as <c>kiln batch --log</c> writes it: <paramref name="rows"/> rows of the GBT model from row <paramref name="firstRow"/>.</summary>
    private static JsonObject Body(int firstRow, int rows)
    {
        var features = new JsonArray();
        var labels = new JsonArray();
        var probabilities = new JsonArray();
        for (var r = 0; r < rows; r++)
        {
            foreach (var v in new double[] { 30 + r, 1000, 5, 200 + (400 * r), 2, -1, 0 })
            {
                features.Add(v);
            }

            labels.Add(r % 2);
            probabilities.Add(r % 2 == 0 ? 0.8 : 0.3);
            probabilities.Add(r % 2 == 0 ? 0.2 : 0.7);
        }

        return new JsonObject
        {
            ["model_name"] = "gbt",
            ["model_version"] = 1,
            ["id"] = "batch-1",
            ["first_row"] = firstRow,
            ["inputs"] = new JsonArray(new JsonObject { ["name"] = "float_input", ["datatype"] = "FP32", ["shape"] = new JsonArray(rows, 7), ["data"] = features }),
            ["predictions"] = new JsonArray(
                new JsonObject { ["name"] = "output_label", ["datatype"] = "INT64", ["shape"] = new JsonArray(rows), ["data"] = labels },
                new JsonObject
                {
                    ["name"] = "output_probability", ["datatype"] = "FP32", ["shape"] = new JsonArray(rows, 2), ["data"] = probabilities,
                    ["parameters"] = new JsonObject { ["labels"] = new JsonArray("0", "1") },
                }),
        };
    }
}
