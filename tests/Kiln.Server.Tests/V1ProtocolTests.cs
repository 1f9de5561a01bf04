using System.Net;
using System.Text.Json.Nodes;
using Kiln.Server.Tests.Support;

namespace Kiln.Server.Tests;

public class V1ProtocolTests(DeployedGbtFixture fixture) : IClassFixture<DeployedGbtFixture>
{
    private readonly HttpClient _http = fixture.Factory.CreateHttpClient();

    [Fact]
    public async Task Predict_Records_MatchIndependentScores()
    {
        var expected = TestModels.Case("gbt_sklearn");
        var body = new JsonObject { ["instances"] = Requests.GbtRecords(expected.GetProperty("inputs").GetProperty("float_input")) };

        using var response = await _http.PostJsonAsync("/v1/models/gbt:predict", body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("gbt", response.Headers.GetValues("Kiln-Deployment").Single());
        var predictions = (await response.ReadJsonAsync()).GetProperty("predictions").EnumerateArray().ToArray();
        Assert.Equal(
            expected.GetProperty("outputs").GetProperty("output_label").EnumerateArray().Select(v => v.GetInt64()),
            predictions.Select(p => p.GetProperty("output_label").GetInt64()));
        ScoreAssert.ProbabilityMapsEqual(expected.GetProperty("outputs").GetProperty("output_probability"), predictions.Select(p => p.GetProperty("output_probability")).ToArray());
    }

    [Fact]
    public async Task Predict_ArrayRows_SameAsRecords()
    {
        var rows = TestModels.Case("gbt_sklearn").GetProperty("inputs").GetProperty("float_input");
        var records = new JsonObject { ["instances"] = Requests.GbtRecords(rows) };
        var arrays = new JsonObject { ["instances"] = JsonNode.Parse(rows.GetRawText()) };

        var fromRecords = await (await _http.PostJsonAsync("/v1/models/gbt:predict", records)).Content.ReadAsStringAsync();
        var fromArrays = await (await _http.PostJsonAsync("/v1/models/gbt:predict", arrays)).Content.ReadAsStringAsync();

        Assert.Equal(fromRecords, fromArrays);
    }

    [Fact]
    public async Task ModelStatus_SaysReady()
    {
        var body = await (await _http.GetAsync("/v1/models/gbt")).ReadJsonAsync();

        Assert.True(body.GetProperty("ready").GetBoolean());
    }

    [Theory]
    [InlineData("""{"instances":[{"age":"x","balance":1,"day":1,"duration":1,"campaign":1,"pdays":1,"previous":1}]}""", "instances[0].age")]
    [InlineData("""{"instances":[{"age":1}]}""", "missing field 'balance'")]
    [InlineData("""{"instances":[{"age":1,"balance":1,"day":1,"duration":1,"campaign":1,"pdays":1,"previous":1,"color":"red"}]}""", "unknown field 'color'")]
    [InlineData("""{"instances":[[1,2,3]]}""", "instances")]
    [InlineData("""{"rows":[]}""", "instances")]
    [InlineData("""{"instances":[]}""", "instances")]
    public async Task Predict_BadRequest_Is400InV1Shape(string body, string expected)
    {
        using var response = await _http.PostAsync("/v1/models/gbt:predict", Requests.Json(body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(expected, (await response.ReadJsonAsync()).GetProperty("error").GetString(), StringComparison.Ordinal);
    }
}
