using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Kiln.Client;

namespace Kiln.Server.Tests.Support;

/// <summary>Small helpers to register, deploy and call a test server.</summary>
public static class Requests
{
    public static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    public static StringContent Json(JsonNode node) => Json(node.ToJsonString());

    public static async Task<JsonElement> ReadJsonAsync(this HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }

    /// <summary>Registers gbt_sklearn.onnx with its feature names and deploys it as <paramref name="deployment"/>.</summary>
    public static async Task DeployGbtAsync(KilnAppFactory factory, string deployment = "gbt", string model = "gbt")
    {
        using var client = factory.CreateKilnClient();
        await client.RegisterAsync(model, TestModels.PathOf("gbt_sklearn.onnx"), new RegisterOptions { FeatureNames = TestModels.GbtFeatureNames, Alias = "champion" });
        await client.DeployAsync(deployment, $"{model}@champion");
    }

    /// <summary>A V2 request for the gbt batch case: FP32 [rows, 7].</summary>
    public static JsonObject GbtV2Request(JsonElement rows, string? id = null)
    {
        var data = new JsonArray();
        var count = 0;
        foreach (var row in rows.EnumerateArray())
        {
            data.Add(JsonNode.Parse(row.GetRawText()));
            count++;
        }

        var request = new JsonObject
        {
            ["inputs"] = new JsonArray(new JsonObject
            {
                ["name"] = "float_input",
                ["shape"] = new JsonArray(count, 7),
                ["datatype"] = "FP32",
                ["data"] = data,
            }),
        };
        if (id is not null)
        {
            request["id"] = id;
        }

        return request;
    }

    /// <summary>The gbt rows as records keyed by feature name.</summary>
    public static JsonArray GbtRecords(JsonElement rows)
    {
        var records = new JsonArray();
        foreach (var row in rows.EnumerateArray())
        {
            var record = new JsonObject();
            var i = 0;
            foreach (var value in row.EnumerateArray())
            {
                record[TestModels.GbtFeatureNames[i++]] = value.GetDouble();
            }

            records.Add(record);
        }

        return records;
    }

    public static Task<HttpResponseMessage> PostJsonAsync(this HttpClient http, string path, JsonNode body) => http.PostAsync(path, Json(body));

    public static Task<HttpResponseMessage> PutJsonAsync<T>(this HttpClient http, string path, T body) => http.PutAsJsonAsync(path, body);
}
