using System.Text.Json;
using Kiln.Client;
using Kiln.Server.Tests.Support;

namespace Kiln.Server.Tests;

/// <summary>A LightGBM text model, and an MLflow lightgbm directory, register through the API, deploy, and answer as LightGBM does.</summary>
public sealed class LightGbmServingTests : IDisposable
{
    private static readonly string Fixtures = Path.Combine(AppContext.BaseDirectory, "Fixtures", "lightgbm");
    private readonly KilnAppFactory _factory = new();

    [Fact]
    public async Task ALightGbmTextModel_RegistersDeploysAndAnswersAsLightGbmDoes()
    {
        using var client = _factory.CreateKilnClient();
        using var http = _factory.CreateHttpClient();
        var version = await client.RegisterAsync("prices", Path.Combine(Fixtures, "regression.txt"), new RegisterOptions { FeatureNames = ["a", "b", "c", "d", "e", "f"], Alias = "champion" });
        await client.DeployAsync("prices", "prices@champion");

        using var expected = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Fixtures, "regression.expected.json")));
        var complete = expected.RootElement.GetProperty("inputs").EnumerateArray().Select((r, i) => (Row: r, Index: i))
            .Where(x => x.Row.EnumerateArray().All(v => v.ValueKind != JsonValueKind.Null)).Take(20).ToArray();
        var body = $$"""{"inputs":[{"name":"input","shape":[{{complete.Length}},6],"datatype":"FP32","data":[{{string.Join(',', complete.Select(x => string.Join(',', x.Row.EnumerateArray().Select(v => v.GetRawText()))))}}]}]}""";
        using var response = await http.PostAsync("/v2/models/prices/infer", Requests.Json(body));
        var text = await response.Content.ReadAsStringAsync();

        Assert.True(response.IsSuccessStatusCode, text);
        Assert.Equal(("lightgbm", "compiled-trees"), (version.Manifest.Flavor, version.Manifest.Metadata["kiln.engine"]));
        var predictions = JsonDocument.Parse(text).RootElement.GetProperty("outputs")[0].GetProperty("data").EnumerateArray().Select(v => v.GetSingle()).ToArray();
        for (var i = 0; i < complete.Length; i++)
        {
            Assert.Equal((float)expected.RootElement.GetProperty("predictions")[complete[i].Index][0].GetDouble(), predictions[i]);
        }
    }

    [Fact]
    public async Task AnMlflowLightGbmDirectory_AnswersMlflowDataframesByItsColumns()
    {
        using var client = _factory.CreateKilnClient();
        using var http = _factory.CreateHttpClient();
        var version = await client.RegisterAsync("mlflow-lgb", Path.Combine(Fixtures, "mlflow_lightgbm"), new RegisterOptions { Alias = "champion" });
        await client.DeployAsync("mlflow-lgb", "mlflow-lgb@champion");

        using var expected = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Fixtures, "binary.expected.json")));
        var row = expected.RootElement.GetProperty("inputs").EnumerateArray().Select((r, i) => (Row: r, Index: i)).First(x => x.Row.EnumerateArray().All(v => v.ValueKind != JsonValueKind.Null));
        var body = "{\"dataframe_split\":{\"columns\":[\"x0\",\"x1\",\"x2\",\"x3\",\"x4\",\"x5\"],\"data\":[" + row.Row.GetRawText() + "]}}";
        using var response = await http.PostAsync("/deployments/mlflow-lgb/invocations", Requests.Json(body));
        var text = await response.Content.ReadAsStringAsync();

        Assert.True(response.IsSuccessStatusCode, text);
        Assert.Equal(("lightgbm", "1e2d3c4b5a69788796a5b4c3d2e1f0a9"), (version.Manifest.Flavor, version.Manifest.RunId));
        var p = (float)expected.RootElement.GetProperty("predictions")[row.Index][0].GetDouble();
        Assert.Contains(Numbers(JsonDocument.Parse(text).RootElement), n => (float)n == p);
    }

    private static IEnumerable<double> Numbers(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Number => [element.GetDouble()],
        JsonValueKind.Array => element.EnumerateArray().SelectMany(Numbers),
        JsonValueKind.Object => element.EnumerateObject().SelectMany(p => Numbers(p.Value)),
        _ => [],
    };

    public void Dispose() => _factory.Dispose();
}
