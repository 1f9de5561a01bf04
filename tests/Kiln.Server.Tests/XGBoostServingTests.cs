using System.Text.Json;
using Kiln.Client;
using Kiln.Server.Tests.Support;

namespace Kiln.Server.Tests;

/// <summary>An XGBoost model saved as JSON registers through the API, deploys, and answers v2 and record requests with XGBoost's own probabilities.</summary>
public sealed class XGBoostServingTests : IDisposable
{
    private static readonly string Fixtures = Path.Combine(AppContext.BaseDirectory, "Fixtures", "xgboost");
    private readonly KilnAppFactory _factory = new();

    [Fact]
    public async Task AnXGBoostJsonModel_RegistersDeploysAndAnswersAsXGBoostDoes()
    {
        using var client = _factory.CreateKilnClient();
        using var http = _factory.CreateHttpClient();
        string[] features = ["a", "b", "c", "d", "e", "f"];
        var version = await client.RegisterAsync("churn", Path.Combine(Fixtures, "binary_logistic.json"), new RegisterOptions { FeatureNames = features, Alias = "champion" });
        await client.DeployAsync("churn", "churn@champion");

        using var expected = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Fixtures, "binary_logistic.expected.json")));
        var inputs = expected.RootElement.GetProperty("inputs").EnumerateArray().Take(20).ToArray();
        var rows = inputs.Select(r => r.EnumerateArray().Select(v => v.ValueKind == JsonValueKind.Null ? "null" : v.GetRawText()).ToArray()).ToArray();

        // JSON has no NaN for v2 FP32 data, so rows with a missing value are left out here (the equality tests cover them).
        var complete = rows.Select((r, i) => (Row: r, Index: i)).Where(x => !x.Row.Contains("null")).ToArray();
        var body = $$"""{"inputs":[{"name":"input","shape":[{{complete.Length}},6],"datatype":"FP32","data":[{{string.Join(',', complete.SelectMany(x => x.Row))}}]}]}""";
        using var response = await http.PostAsync("/v2/models/churn/infer", Support.Requests.Json(body));
        response.EnsureSuccessStatusCode();
        using var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var probabilities = answer.RootElement.GetProperty("outputs").EnumerateArray().Single(o => o.GetProperty("name").GetString() == "probabilities")
            .GetProperty("data").EnumerateArray().Select(v => v.GetDouble()).ToArray();

        Assert.Equal("xgboost", version.Manifest.Flavor);
        Assert.Equal("compiled-trees", version.Manifest.Metadata["kiln.engine"]);
        Assert.Equal(complete.Length * 2, probabilities.Length);
        for (var i = 0; i < complete.Length; i++)
        {
            var p = expected.RootElement.GetProperty("predictions")[complete[i].Index][0].GetDouble();
            Assert.True(Math.Abs(probabilities[(i * 2) + 1] - p) <= 1e-6 * Math.Max(1, p), $"row {complete[i].Index}: {probabilities[(i * 2) + 1]} instead of {p}");
        }

        // Records by feature name (KServe v1) reach the same model.
        var record = string.Join(',', features.Select((f, j) => $"\"{f}\":{complete[0].Row[j]}"));
        using var v1 = await http.PostAsync("/v1/models/churn:predict", Support.Requests.Json($$"""{"instances":[{{{record}}}]}"""));
        v1.EnsureSuccessStatusCode();
        Assert.Contains("predictions", await v1.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnMlflowXGBoostDirectory_RegistersAsItIs_AndAnswersMlflowDataframesByItsColumns()
    {
        using var client = _factory.CreateKilnClient();
        using var http = _factory.CreateHttpClient();
        var version = await client.RegisterAsync("mlflow-xgb", Path.Combine(Fixtures, "mlflow_xgboost"), new RegisterOptions { Alias = "champion" });
        await client.DeployAsync("mlflow-xgb", "mlflow-xgb@champion");

        using var expected = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Fixtures, "binary_logistic.expected.json")));
        var row = expected.RootElement.GetProperty("inputs").EnumerateArray().Select((r, i) => (Row: r, Index: i)).First(x => x.Row.EnumerateArray().All(v => v.ValueKind != JsonValueKind.Null));
        var body = "{\"dataframe_split\":{\"columns\":[\"x0\",\"x1\",\"x2\",\"x3\",\"x4\",\"x5\"],\"data\":[" + row.Row.GetRawText() + "]}}";
        using var response = await http.PostAsync("/deployments/mlflow-xgb/invocations", Support.Requests.Json(body));
        var text = await response.Content.ReadAsStringAsync();

        Assert.True(response.IsSuccessStatusCode, text);
        Assert.Equal(("xgboost", "0f1e2d3c4b5a69788796a5b4c3d2e1f0"), (version.Manifest.Flavor, version.Manifest.RunId));
        var p = expected.RootElement.GetProperty("predictions")[row.Index][0].GetDouble();
        Assert.Contains(Numbers(JsonDocument.Parse(text).RootElement), n => Math.Abs(n - p) <= 1e-6);
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
