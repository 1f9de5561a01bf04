using System.Net;
using System.Text.Json.Nodes;
using Kiln.Server.Tests.Support;

namespace Kiln.Server.Tests;

public class V2ProtocolTests(DeployedGbtFixture fixture) : IClassFixture<DeployedGbtFixture>
{
    private readonly HttpClient _http = fixture.Factory.CreateHttpClient();

    [Fact]
    public async Task Infer_GbtBatch_MatchesIndependentScoresAndEchoesId()
    {
        var expected = TestModels.Case("gbt_sklearn");

        using var response = await _http.PostJsonAsync("/v2/models/gbt/infer", Requests.GbtV2Request(expected.GetProperty("inputs").GetProperty("float_input"), id: "req-42"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.ReadJsonAsync();
        Assert.Equal("gbt", body.GetProperty("model_name").GetString());
        Assert.Equal("1", body.GetProperty("model_version").GetString());
        Assert.Equal("req-42", body.GetProperty("id").GetString());
        Assert.Equal("req-42", response.Headers.GetValues("Kiln-Request-Id").Single());
        Assert.Equal("1", response.Headers.GetValues("Kiln-Model-Version").Single());
        var outputs = body.GetProperty("outputs").EnumerateArray().ToDictionary(o => o.GetProperty("name").GetString()!);
        Assert.Equal(
            expected.GetProperty("outputs").GetProperty("output_label").EnumerateArray().Select(v => v.GetInt64()),
            outputs["output_label"].GetProperty("data").EnumerateArray().Select(v => v.GetInt64()));
        Assert.Equal("INT64", outputs["output_label"].GetProperty("datatype").GetString());
        var probabilities = outputs["output_probability"];
        Assert.Equal("FP32", probabilities.GetProperty("datatype").GetString());
        Assert.Equal([6, 2], probabilities.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()));
        Assert.Equal(["0", "1"], probabilities.GetProperty("parameters").GetProperty("labels").EnumerateArray().Select(l => l.GetString()));
        ScoreAssert.ProbabilityMatrixEquals(expected.GetProperty("outputs").GetProperty("output_probability"), probabilities.GetProperty("data"));
    }

    [Fact]
    public async Task Infer_FlatDataAndRequestedOutput_ReturnsOnlyThatOutput()
    {
        var body = JsonNode.Parse("""
            {"inputs":[{"name":"float_input","shape":[1,7],"datatype":"FP32","data":[35,1500.5,15,240,2,-1,0]}],
             "outputs":[{"name":"output_label"}]}
            """)!;

        using var response = await _http.PostJsonAsync("/v2/models/gbt/infer", body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var outputs = (await response.ReadJsonAsync()).GetProperty("outputs");
        Assert.Equal("output_label", Assert.Single(outputs.EnumerateArray()).GetProperty("name").GetString());
        Assert.False(string.IsNullOrEmpty(response.Headers.GetValues("Kiln-Request-Id").Single()));
    }

    [Fact]
    public async Task Infer_OneInputPerColumn_PdContentTypeWorks()
    {
        var inputs = new JsonArray();
        double[] row = [35, 1500.5, 15, 240, 2, -1, 0];
        for (var i = 0; i < row.Length; i++)
        {
            inputs.Add(new JsonObject
            {
                ["name"] = TestModels.GbtFeatureNames[i],
                ["shape"] = new JsonArray(1),
                ["datatype"] = i == 0 ? "INT64" : "FP64",
                ["data"] = new JsonArray(row[i]),
            });
        }

        var body = new JsonObject { ["parameters"] = new JsonObject { ["content_type"] = "pd" }, ["inputs"] = inputs };
        using var response = await _http.PostJsonAsync("/v2/models/gbt/infer", body);

        // FP64 columns cannot be narrowed safely into the FP32 input: MLflow's rules refuse it.
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("FP64", (await response.ReadJsonAsync()).GetProperty("error").GetString(), StringComparison.Ordinal);

        foreach (var input in inputs)
        {
            input!["datatype"] = "FP32";
        }

        using var ok = await _http.PostJsonAsync("/v2/models/gbt/infer", body);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
    }

    [Fact]
    public async Task Metadata_DescribesInputsColumnsAndOutputs()
    {
        var server = await (await _http.GetAsync("/v2")).ReadJsonAsync();
        Assert.Equal("kiln", server.GetProperty("name").GetString());

        var model = await (await _http.GetAsync("/v2/models/gbt")).ReadJsonAsync();
        Assert.Equal("gbt", model.GetProperty("name").GetString());
        Assert.Equal("1", model.GetProperty("versions")[0].GetString());
        var input = model.GetProperty("inputs")[0];
        Assert.Equal("float_input", input.GetProperty("name").GetString());
        Assert.Equal("FP32", input.GetProperty("datatype").GetString());
        Assert.Equal(TestModels.GbtFeatureNames, input.GetProperty("parameters").GetProperty("columns").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal(2, model.GetProperty("outputs").GetArrayLength());

        using var version = await _http.GetAsync("/v2/models/gbt/versions/1");
        Assert.Equal(HttpStatusCode.OK, version.StatusCode);
        using var wrongVersion = await _http.GetAsync("/v2/models/gbt/versions/7");
        Assert.Equal(HttpStatusCode.NotFound, wrongVersion.StatusCode);
    }

    [Fact]
    public async Task HealthAndReadiness_AnswerWithoutKey()
    {
        using var anonymous = fixture.Factory.CreateHttpClient(null);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/v2/health/live")).StatusCode);
        await fixture.Factory.WaitUntilReadyAsync();
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/v2/health/ready")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _http.GetAsync("/v2/models/gbt/ready")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _http.GetAsync("/v2/models/gbt/versions/1/ready")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _http.GetAsync("/v2/models/nope/ready")).StatusCode);
    }

    [Fact]
    public async Task InferOnVersion_ServedVersionWorks_OtherVersionIs404()
    {
        var body = JsonNode.Parse("""{"inputs":[{"name":"float_input","shape":[1,7],"datatype":"FP32","data":[1,2,3,4,5,6,7]}]}""")!;

        using var ok = await _http.PostJsonAsync("/v2/models/gbt/versions/1/infer", body);
        using var missing = await _http.PostJsonAsync("/v2/models/gbt/versions/2/infer", body);

        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Contains("serves version 1", (await missing.ReadJsonAsync()).GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{bad json", "body")]
    [InlineData("[]", "body")]
    [InlineData("""{"inputs":[]}""", "inputs")]
    [InlineData("""{"inputs":[{"name":"float_input","shape":[1,7],"datatype":"FP32","data":[1,2,3]}]}""", "inputs[0]")]
    [InlineData("""{"inputs":[{"name":"float_input","shape":[1,7],"datatype":"FP32","data":[1,2,3,4,5,6,"x"]}]}""", "inputs[0].data[6]")]
    [InlineData("""{"inputs":[{"name":"float_input","shape":[1,7],"datatype":"FP16X","data":[1,2,3,4,5,6,7]}]}""", "inputs[0].datatype")]
    [InlineData("""{"inputs":[{"name":"float_input","shape":[1,7],"datatype":"BYTES","data":["1","2","3","4","5","6","7"]}]}""", "inputs[0].datatype")]
    [InlineData("""{"inputs":[{"name":"float_input","shape":[1,8],"datatype":"FP32","data":[1,2,3,4,5,6,7,8]}]}""", "inputs[0]")]
    [InlineData("""{"inputs":[{"name":"nope","shape":[1],"datatype":"FP32","data":[1]}]}""", "inputs[0].name")]
    [InlineData("""{"inputs":[{"name":"float_input","shape":[1,7],"datatype":"FP32","data":[1,2,3,4,5,6,7]}],"outputs":[{"name":"nope"}]}""", "outputs[0].name")]
    [InlineData("""{"inputs":[{"name":"float_input","datatype":"FP32","data":[1,2,3,4,5,6,7]}]}""", "inputs[0].shape")]
    public async Task Infer_BadRequest_Is400NamingTheField(string body, string field)
    {
        using var response = await _http.PostAsync("/v2/models/gbt/infer", Requests.Json(body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = (await response.ReadJsonAsync()).GetProperty("error").GetString()!;
        Assert.Contains(field, error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Infer_UnknownDeployment_Is404InV2Shape()
    {
        using var response = await _http.PostAsync("/v2/models/nope/infer", Requests.Json("{}"));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("nope", (await response.ReadJsonAsync()).GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Infer_WrongMediaType_Is415()
    {
        using var response = await _http.PostAsync("/v2/models/gbt/infer", new StringContent("a=b", System.Text.Encoding.UTF8, "application/x-www-form-urlencoded"));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Contains("application/json", (await response.ReadJsonAsync()).GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Infer_HugeStringValue_MessageDoesNotEchoIt()
    {
        var huge = new string('x', 10_000);
        var body = $$"""{"inputs":[{"name":"float_input","shape":[1,7],"datatype":"FP32","data":[1,2,3,4,5,6,"{{huge}}"]}]}""";

        using var response = await _http.PostAsync("/v2/models/gbt/infer", Requests.Json(body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await response.Content.ReadAsStringAsync()).Length < 500);
    }
}
