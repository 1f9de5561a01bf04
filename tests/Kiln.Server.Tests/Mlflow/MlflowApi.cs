using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Kiln.Server.Tests.Support;

namespace Kiln.Server.Tests.Mlflow;

/// <summary>Calls a test server the way MLflow's Python client does: GET with query strings, other methods with a JSON body.</summary>
public sealed class MlflowApi(HttpClient http, string prefix = "/api/2.0/mlflow") : IDisposable
{
    public HttpClient Http { get; } = http;

    public async Task<JsonElement> PostAsync(string route, string json, HttpStatusCode expected = HttpStatusCode.OK) =>
        await SendAsync(HttpMethod.Post, route, json, expected);

    public async Task<JsonElement> PatchAsync(string route, string json, HttpStatusCode expected = HttpStatusCode.OK) =>
        await SendAsync(HttpMethod.Patch, route, json, expected);

    public async Task<JsonElement> DeleteAsync(string route, string json, HttpStatusCode expected = HttpStatusCode.OK) =>
        await SendAsync(HttpMethod.Delete, route, json, expected);

    public async Task<JsonElement> GetAsync(string route, HttpStatusCode expected = HttpStatusCode.OK)
    {
        using var response = await Http.GetAsync($"{prefix}/{route}");
        return await CheckAsync(response, expected);
    }

    public async Task<JsonElement> SendAsync(HttpMethod method, string route, string json, HttpStatusCode expected = HttpStatusCode.OK)
    {
        using var request = new HttpRequestMessage(method, $"{prefix}/{route}") { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        using var response = await Http.SendAsync(request);
        return await CheckAsync(response, expected);
    }

    /// <summary>Asserts MLflow's error envelope: exactly error_code and message.</summary>
    public static void AssertError(JsonElement body, string errorCode)
    {
        Assert.Equal(errorCode, body.GetProperty("error_code").GetString());
        Assert.False(string.IsNullOrEmpty(body.GetProperty("message").GetString()));
        Assert.Equal(2, body.EnumerateObject().Count());
    }

    /// <summary>Asserts an object carries exactly these fields (as MLflow's proto message names them).</summary>
    public static void AssertFields(JsonElement element, params string[] fields) =>
        Assert.Equal(fields.Order(StringComparer.Ordinal), element.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));

    public async Task<string> CreateExperimentAsync(string name) =>
        (await PostAsync("experiments/create", $$"""{"name":"{{name}}"}""")).GetProperty("experiment_id").GetString()!;

    public async Task<JsonElement> CreateRunAsync(string experimentId, string? runName = null) =>
        (await PostAsync("runs/create", $$"""{"experiment_id":"{{experimentId}}","run_name":"{{runName ?? "r"}}","start_time":1700000000000,"tags":[{"key":"mlflow.user","value":"ada"}]}""")).GetProperty("run");

    public async Task UploadArtifactAsync(string path, byte[] content)
    {
        using var body = new ByteArrayContent(content);
        body.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        using var response = await Http.PutAsync($"/api/2.0/mlflow-artifacts/artifacts/{path}", body);
        await CheckAsync(response, HttpStatusCode.OK);
    }

    private static async Task<JsonElement> CheckAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{(int)response.StatusCode} instead of {(int)expected}: {text}");
        if (text.Length == 0)
        {
            return default;
        }

        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }

    public void Dispose() => Http.Dispose();
}

/// <summary>A server with auth on and an MLflow API client over the admin key.</summary>
public abstract class MlflowTestBase : IDisposable
{
    protected MlflowTestBase()
    {
        Factory = new KilnAppFactory();
        Api = new MlflowApi(Factory.CreateHttpClient());
    }

    protected KilnAppFactory Factory { get; }

    protected MlflowApi Api { get; }

    public void Dispose()
    {
        Api.Dispose();
        Factory.Dispose();
        GC.SuppressFinalize(this);
    }
}
