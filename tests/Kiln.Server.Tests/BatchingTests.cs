using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Kiln.Client;
using Kiln.Core.Deployments;
using Kiln.Server.Tests.Support;

namespace Kiln.Server.Tests;

/// <summary>Dynamic batching on a served deployment: answers exactly as without it, settings checked, kept in history, rolled back.</summary>
public sealed class BatchingTests : IDisposable
{
    private const int Requests = 40;
    private readonly KilnAppFactory _factory = new();

    [Fact]
    public async Task Infer_ConcurrentRequestsWithBatchingOn_AreAnsweredExactlyAsWithoutAndLoggedEachUnderItsOwnId()
    {
        await Support.Requests.DeployGbtAsync(_factory, "bank");
        using var http = _factory.CreateHttpClient();
        var unbatched = new string[Requests];
        for (var i = 0; i < Requests; i++)
        {
            unbatched[i] = await OutputsAsync(http, i);
        }

        using var client = _factory.CreateKilnClient();
        var view = await client.DeployAsync("bank", "gbt@champion", new DeploymentSettingsChange(Batching: new BatchingPolicy(32, 20_000)));
        Assert.Equal(new BatchingPolicy(32, 20_000), view.Deployment.Batching);

        // A malformed request among them fails alone, before it could join a batch.
        var malformed = http.PostAsync("/v2/models/bank/infer", Support.Requests.Json("""{"inputs":[{"name":"float_input","shape":[1,7],"datatype":"FP32","data":[1,2,3]}]}"""));
        var batched = await Task.WhenAll(Enumerable.Range(0, Requests).Select(i => Task.Run(() => OutputsAsync(http, i))));
        using var refused = await malformed;

        for (var i = 0; i < Requests; i++)
        {
            // ONNX Runtime may add in another order for another batch size: equal to a few units in the last float place.
            Assert.Equal(Values(unbatched[i]), Values(batched[i]), (a, b) => a == b || (double.TryParse(a, System.Globalization.CultureInfo.InvariantCulture, out var x)
                && double.TryParse(b, System.Globalization.CultureInfo.InvariantCulture, out var y) && Math.Abs(x - y) <= 1e-6 * Math.Max(1, Math.Abs(x))));
        }
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var metrics = await http.GetStringAsync("/metrics");
        Assert.Equal(Requests, Sample(metrics, "kiln_batch_requests_total"));
        Assert.Equal(Requests * 2, Sample(metrics, "kiln_batch_rows_total"));
        Assert.InRange(Sample(metrics, "kiln_batch_model_calls_total"), 1, Requests); // how many share a call depends on timing: the batcher tests pin that down

        await http.PostAsync("/api/deployments/bank/ground-truth", Support.Requests.Json("""{"labels": []}""")); // flushes the log writer
        var logged = (await (await http.GetAsync("/api/deployments/bank/predictions?limit=1000")).ReadJsonAsync()).GetProperty("predictions").EnumerateArray()
            .Where(r => r.GetProperty("requestId").GetString()!.StartsWith("batched-", StringComparison.Ordinal)).ToArray();
        Assert.Equal(2 * Requests * 2, logged.Length); // every request was sent twice: once unbatched, once batched
        Assert.Equal(Requests * 2, logged.Select(row => (row.GetProperty("requestId").GetString(), row.GetProperty("row").GetInt32())).Distinct().Count());
        Assert.All(logged, row => Assert.Equal(Age(row.GetProperty("requestId").GetString()!, row.GetProperty("row").GetInt32()), row.GetProperty("inputs").GetProperty(TestModels.GbtFeatureNames[0]).GetDouble()));
    }

    [Fact]
    public async Task Deploy_BatchingSettings_AreCheckedKeptInHistoryAndRestoredByRollback()
    {
        await Support.Requests.DeployGbtAsync(_factory, "bank");
        using var http = _factory.CreateHttpClient();
        using var client = _factory.CreateKilnClient();

        using var tooFewRows = await http.PutAsync("/api/deployments/bank", Support.Requests.Json("""{"model":"gbt@champion","batching":{"maxBatchRows":1,"maxDelayMicroseconds":500}}"""));
        using var noDelay = await http.PutAsync("/api/deployments/bank", Support.Requests.Json("""{"model":"gbt@champion","batching":{"maxBatchRows":8}}"""));
        var on = await client.DeployAsync("bank", "gbt@champion", new DeploymentSettingsChange(Batching: new BatchingPolicy(8, 500)));
        var off = await client.DeployAsync("bank", "gbt@champion", new DeploymentSettingsChange(Batching: new BatchingPolicy(0, 0)));
        var history = await client.GetHistoryAsync("bank");
        var restored = await client.RollbackAsync("bank", on.Deployment.Revision);

        Assert.Equal(HttpStatusCode.BadRequest, tooFewRows.StatusCode);
        Assert.Contains("batching.maxBatchRows", await tooFewRows.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, noDelay.StatusCode);
        Assert.Contains("batching.maxDelayMicroseconds", await noDelay.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(2, on.Deployment.Revision);
        Assert.Null(off.Deployment.Batching);
        Assert.Equal([null, new BatchingPolicy(8, 500), null], history.Select(r => r.Settings.Batching));
        Assert.Equal(new BatchingPolicy(8, 500), restored.Deployment.Batching);
        using var response = await http.PostAsync("/v2/models/bank/infer", Support.Requests.Json(Request(0)));
        response.EnsureSuccessStatusCode();
        Assert.Contains("kiln_batch_requests_total{deployment=\"bank\",variant=\"primary\"} 1", await http.GetStringAsync("/metrics"), StringComparison.Ordinal);
    }

    public void Dispose() => _factory.Dispose();

    private static async Task<string> OutputsAsync(HttpClient http, int request)
    {
        using var response = await http.PostAsync("/v2/models/bank/infer", Support.Requests.Json(Request(request)));
        response.EnsureSuccessStatusCode();
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal($"batched-{request}", body.RootElement.GetProperty("id").GetString());
        return body.RootElement.GetProperty("outputs").GetRawText();
    }

    /// <summary>Two rows per request, every row different, so a row given to the wrong caller shows.</summary>
    private static JsonObject Request(int request)
    {
        var data = new JsonArray();
        for (var row = 0; row < 2; row++)
        {
            foreach (var value in new[] { Age($"batched-{request}", row), request % 3, 1000.0 + (57 * request), request % 28, 100.0 + (31 * request) + row, row, -1.0 })
            {
                data.Add(value);
            }
        }

        return new JsonObject
        {
            ["id"] = $"batched-{request}",
            ["inputs"] = new JsonArray(new JsonObject { ["name"] = "float_input", ["shape"] = new JsonArray(2, 7), ["datatype"] = "FP32", ["data"] = data }),
        };
    }

    private static double Age(string requestId, int row) => 20 + int.Parse(requestId["batched-".Length..], System.Globalization.CultureInfo.InvariantCulture) + (row * 0.5);

    /// <summary>Every scalar of a JSON document, in document order, as text (names and structure included, so a moved row shows).</summary>
    private static List<string> Values(string json)
    {
        var values = new List<string>();
        void Walk(JsonElement element)
        {
            switch (element.ValueKind)
            {
                case JsonValueKind.Object:
                    foreach (var property in element.EnumerateObject())
                    {
                        values.Add(property.Name);
                        Walk(property.Value);
                    }

                    break;
                case JsonValueKind.Array:
                    values.Add("[");
                    foreach (var item in element.EnumerateArray())
                    {
                        Walk(item);
                    }

                    values.Add("]");
                    break;
                default:
                    values.Add(element.ToString());
                    break;
            }
        }

        using var document = JsonDocument.Parse(json);
        Walk(document.RootElement);
        return values;
    }

    private static double Sample(string metrics, string family) =>
        double.Parse(metrics.Split('\n').Single(line => line.StartsWith(family + "{deployment=\"bank\"", StringComparison.Ordinal)).Split(' ')[^1], System.Globalization.CultureInfo.InvariantCulture);
}
