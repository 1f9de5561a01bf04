using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Kiln.Server.Tests.Support;

namespace Kiln.Server.Tests;

public class MlflowProtocolTests(DeployedGbtFixture fixture) : IClassFixture<DeployedGbtFixture>
{
    private readonly HttpClient _http = fixture.Factory.CreateHttpClient();

    public static TheoryData<string> Formats => ["dataframe_split", "dataframe_records", "instances", "inputs", "csv"];

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task Invocations_EveryFormat_MatchesIndependentScores(string format)
    {
        var expected = TestModels.Case("gbt_sklearn");
        var rows = expected.GetProperty("inputs").GetProperty("float_input");

        using var response = await _http.PostAsync("/deployments/gbt/invocations", Body(format, rows));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var predictions = (await response.ReadJsonAsync()).GetProperty("predictions").EnumerateArray().ToArray();
        Assert.Equal(
            expected.GetProperty("outputs").GetProperty("output_label").EnumerateArray().Select(v => v.GetInt64()),
            predictions.Select(p => p.GetProperty("output_label").GetInt64()));
        ScoreAssert.ProbabilityMapsEqual(expected.GetProperty("outputs").GetProperty("output_probability"), predictions.Select(p => p.GetProperty("output_probability")).ToArray());
    }

    [Fact]
    public async Task Ping_AnswersOk()
    {
        Assert.Equal(HttpStatusCode.OK, (await _http.GetAsync("/deployments/gbt/ping")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _http.GetAsync("/deployments/nope/ping")).StatusCode);
    }

    [Theory]
    [InlineData("""{"dataframe_split":{"columns":["age"],"data":[[1]]},"instances":[[1]]}""", "exactly one")]
    [InlineData("""{"something":[]}""", "unknown key")]
    [InlineData("""{"dataframe_split":{"columns":["age","balance"],"data":[[1]]}}""", "dataframe_split.data[0]")]
    [InlineData("""{"dataframe_records":[{"age":1.5}]}""", "missing field")]
    public async Task Invocations_BadRequest_IsMlflowErrorShape(string body, string expected)
    {
        using var response = await _http.PostAsync("/deployments/gbt/invocations", Requests.Json(body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = await response.ReadJsonAsync();
        Assert.Equal("BAD_REQUEST", error.GetProperty("error_code").GetString());
        Assert.Contains(expected, error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invocations_CsvWithWrongColumnCount_Is400()
    {
        using var response = await _http.PostAsync("/deployments/gbt/invocations",
            new StringContent($"{TestModels.GbtFeatures}\n1,2,3\n", Encoding.UTF8, "text/csv"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("csv row 1", (await response.ReadJsonAsync()).GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invocations_UnsupportedMediaType_Is415InMlflowShape()
    {
        using var response = await _http.PostAsync("/deployments/gbt/invocations", new StringContent("x", Encoding.UTF8, "text/plain"));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("BAD_REQUEST", (await response.ReadJsonAsync()).GetProperty("error_code").GetString());
    }

    private static HttpContent Body(string format, System.Text.Json.JsonElement rows)
    {
        var records = Requests.GbtRecords(rows);
        switch (format)
        {
            case "csv":
                var csv = new StringBuilder(TestModels.GbtFeatures).Append('\n');
                foreach (var row in rows.EnumerateArray())
                {
                    csv.AppendJoin(',', row.EnumerateArray().Select(v => v.GetRawText())).Append('\n');
                }

                return new StringContent(csv.ToString(), Encoding.UTF8, "text/csv");
            case "dataframe_split":
                return Requests.Json(new JsonObject
                {
                    ["dataframe_split"] = new JsonObject
                    {
                        ["columns"] = new JsonArray(TestModels.GbtFeatureNames.Select(n => (JsonNode)n).ToArray()),
                        ["data"] = JsonNode.Parse(rows.GetRawText()),
                    },
                });
            case "dataframe_records":
                return Requests.Json(new JsonObject { ["dataframe_records"] = records });
            case "instances":
                return Requests.Json(new JsonObject { ["instances"] = records });
            default:
                var columns = new JsonObject();
                for (var c = 0; c < TestModels.GbtFeatureNames.Length; c++)
                {
                    columns[TestModels.GbtFeatureNames[c]] = new JsonArray(rows.EnumerateArray().Select(r => (JsonNode)r[c].GetDouble()).ToArray());
                }

                return Requests.Json(new JsonObject { ["inputs"] = columns });
        }
    }
}
