using System.Net;
using Kiln.Server.Tests.Support;

namespace Kiln.Server.Tests;

public sealed class HostingTests : IDisposable
{
    private readonly KilnAppFactory _factory = new();

    [Fact]
    public async Task OpenApi_DocumentsTheApiAndDocsPageServes()
    {
        using var http = _factory.CreateHttpClient(null);

        var document = await (await http.GetAsync("/openapi/v1.json")).ReadJsonAsync();
        using var docs = await http.GetAsync("/docs");

        var paths = document.GetProperty("paths");
        Assert.True(paths.TryGetProperty("/api/models/{name}/versions", out _));
        Assert.True(paths.TryGetProperty("/api/deployments/{name}", out _));
        Assert.True(paths.TryGetProperty("/v2/models/{name}/infer", out _));
        Assert.True(paths.GetProperty("/api/pipelines").GetProperty("post").GetProperty("requestBody").GetProperty("content").TryGetProperty("application/yaml", out _));
        Assert.True(paths.TryGetProperty("/api/pipelines/runs/{id}/steps/{step}/approve", out _));
        var apiKey = document.GetProperty("components").GetProperty("securitySchemes").GetProperty("apiKey");
        Assert.Equal(("http", "bearer"), (apiKey.GetProperty("type").GetString(), apiKey.GetProperty("scheme").GetString()));
        Assert.True(document.GetProperty("security")[0].TryGetProperty("apiKey", out _));
        Assert.Equal(HttpStatusCode.OK, docs.StatusCode);
        Assert.Contains("text/html", docs.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EveryResponse_CarriesARequestId()
    {
        using var http = _factory.CreateHttpClient(null);

        using var response = await http.GetAsync("/health/live");
        using var unauthorized = await http.GetAsync("/api/models");

        Assert.Matches("^[0-9a-f]{32}$", response.Headers.GetValues("Kiln-Request-Id").Single());
        Assert.NotEqual(response.Headers.GetValues("Kiln-Request-Id").Single(), unauthorized.Headers.GetValues("Kiln-Request-Id").Single());
    }

    [Fact]
    public void InvalidOptions_FailStartListingEveryError()
    {
        using var factory = new KilnAppFactory(settings: new Dictionary<string, string?>
        {
            ["Kiln:Serving:MaxRequestBodyBytes"] = "10",
            ["Kiln:Serving:MaxUploadFiles"] = "0",
            ["Kiln:Auth:AdminKey"] = "short",
            ["Kiln:Serving:MaxConnections"] = "3",
            ["Kiln:Serving:KeepAliveTimeout"] = "00:00:00",
            ["Kiln:Tls:Certificate"] = "/nonexistent/kiln.pem",
            ["Kiln:Http:TrustedProxies:0"] = "not-an-address",
            ["Kiln:PublicUrl"] = "kiln.example.com",
            ["Kiln:Auth:Oidc:Authority"] = "http://idp.example/realms/ml",
            ["Kiln:Auth:Oidc:RoleMap:admins"] = "emperor",
        });

        var error = Assert.ThrowsAny<Exception>(() => factory.CreateClient());

        var message = error.ToString();
        Assert.Contains("MaxRequestBodyBytes", message, StringComparison.Ordinal);
        Assert.Contains("MaxUploadFiles", message, StringComparison.Ordinal);
        Assert.Contains("AdminKey", message, StringComparison.Ordinal);
        Assert.Contains("MaxConnections", message, StringComparison.Ordinal);
        Assert.Contains("KeepAliveTimeout", message, StringComparison.Ordinal);
        Assert.Contains("Kiln:Tls:Certificate (KILN_TLS_CERT, --tls-cert): no file at /nonexistent/kiln.pem", message, StringComparison.Ordinal);
        Assert.Contains("Kiln:Http:TrustedProxies:0", message, StringComparison.Ordinal);
        Assert.Contains("Kiln:PublicUrl", message, StringComparison.Ordinal);
        Assert.Contains("Kiln:Auth:Oidc:Authority must be https://", message, StringComparison.Ordinal);
        Assert.Contains("Kiln:Auth:Oidc:Audience is required", message, StringComparison.Ordinal);
        Assert.Contains("Kiln:Auth:Oidc:RoleMap:admins", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AuthDisabled_EveryoneIsAdmin()
    {
        using var open = new KilnAppFactory(authEnabled: false);
        using var http = open.CreateHttpClient(null);

        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/api/keys")).StatusCode);
    }

    [Fact]
    public async Task OversizeInferenceBody_Is413()
    {
        using var small = new KilnAppFactory(authEnabled: false, settings: new Dictionary<string, string?> { ["Kiln:Serving:MaxRequestBodyBytes"] = "2048" });
        await Requests.DeployGbtAsync(small);
        using var http = small.CreateHttpClient(null);
        var body = "{\"instances\":[" + string.Join(',', Enumerable.Repeat("[1,2,3,4,5,6,7]", 400)) + "]}";

        using var response = await http.PostAsync("/v1/models/gbt:predict", Requests.Json(body));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("MaxRequestBodyBytes", (await response.ReadJsonAsync()).GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    public void Dispose() => _factory.Dispose();
}
