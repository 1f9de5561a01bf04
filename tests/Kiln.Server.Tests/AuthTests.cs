using System.Net;
using Kiln.Client;
using Kiln.Core.Security;
using Kiln.Server.Tests.Support;

namespace Kiln.Server.Tests;

/// <summary>Every protected endpoint: no key → 401, a role below the minimum → 403, the minimum role → allowed.</summary>
public class AuthTests(DeployedGbtFixture fixture) : IClassFixture<DeployedGbtFixture>
{
    private const string Infer = """{"inputs":[{"name":"float_input","shape":[1,7],"datatype":"FP32","data":[1,2,3,4,5,6,7]}]}""";

    public static TheoryData<string, string, string?, KilnRole> Endpoints => new()
    {
        { "GET", "/api/models", null, KilnRole.Viewer },
        { "GET", "/api/models/gbt", null, KilnRole.Viewer },
        { "GET", "/api/models/gbt/versions", null, KilnRole.Viewer },
        { "GET", "/api/models/gbt/versions/1", null, KilnRole.Viewer },
        { "GET", "/api/models/gbt/aliases/champion", null, KilnRole.Viewer },
        { "PUT", "/api/models/gbt/aliases/champion", """{"version":1}""", KilnRole.Deployer },
        { "PATCH", "/api/models/gbt", """{"description":"d"}""", KilnRole.Deployer },
        { "GET", "/api/deployments", null, KilnRole.Viewer },
        { "GET", "/api/deployments/gbt", null, KilnRole.Viewer },
        { "PUT", "/api/deployments/gbt", """{"model":"gbt@champion"}""", KilnRole.Deployer },
        { "GET", "/api/keys", null, KilnRole.Admin },
        { "GET", "/v2/models/gbt", null, KilnRole.Viewer },
        { "GET", "/v2/models/gbt/ready", null, KilnRole.Viewer },
        { "POST", "/v2/models/gbt/infer", Infer, KilnRole.Predictor },
        { "POST", "/v2/models/gbt/versions/1/infer", Infer, KilnRole.Predictor },
        { "GET", "/v1/models/gbt", null, KilnRole.Viewer },
        { "POST", "/v1/models/gbt:predict", """{"instances":[[1,2,3,4,5,6,7]]}""", KilnRole.Predictor },
        { "POST", "/deployments/gbt/invocations", """{"instances":[[1,2,3,4,5,6,7]]}""", KilnRole.Predictor },
        { "GET", "/deployments/gbt/ping", null, KilnRole.Viewer },
    };

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task Endpoint_EnforcesItsMinimumRole(string method, string path, string? body, KilnRole minimum)
    {
        using var anonymous = fixture.Factory.CreateHttpClient(null);
        using var noKey = await Send(anonymous, method, path, body);
        Assert.Equal(HttpStatusCode.Unauthorized, noKey.StatusCode);
        Assert.Contains("Bearer", noKey.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);

        using var wrong = fixture.Factory.CreateHttpClient("kiln_not_a_real_key");
        Assert.Equal(HttpStatusCode.Unauthorized, (await Send(wrong, method, path, body)).StatusCode);

        if (minimum > KilnRole.Viewer)
        {
            using var below = fixture.Factory.CreateHttpClient(await KeyFor(minimum - 1));
            using var forbidden = await Send(below, method, path, body);
            Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        }

        using var allowed = fixture.Factory.CreateHttpClient(await KeyFor(minimum));
        using var response = await Send(allowed, method, path, body);
        Assert.True(response.IsSuccessStatusCode, $"{method} {path} as {minimum}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    [Theory]
    [InlineData("/health/live")]
    [InlineData("/health/ready")]
    [InlineData("/v2/health/live")]
    [InlineData("/v2")]
    [InlineData("/openapi/v1.json")]
    public async Task OpenEndpoints_NeedNoKey(string path)
    {
        await fixture.Factory.WaitUntilReadyAsync();
        using var anonymous = fixture.Factory.CreateHttpClient(null);

        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync(path)).StatusCode);
    }

    [Fact]
    public async Task Errors_UseEachProtocolsShape()
    {
        using var anonymous = fixture.Factory.CreateHttpClient(null);

        var v2 = await (await anonymous.PostAsync("/v2/models/gbt/infer", Requests.Json(Infer))).ReadJsonAsync();
        var mlflow = await (await anonymous.PostAsync("/deployments/gbt/invocations", Requests.Json("{}"))).ReadJsonAsync();
        var api = await (await anonymous.GetAsync("/api/models")).ReadJsonAsync();

        Assert.True(v2.TryGetProperty("error", out _));
        Assert.Equal("UNAUTHENTICATED", mlflow.GetProperty("error_code").GetString());
        Assert.Equal(401, api.GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task Keys_AreHashedAtRestAndRevocable()
    {
        using var admin = fixture.Factory.CreateKilnClient();
        var created = await admin.CreateKeyAsync("revoke-me", KilnRole.Viewer);
        using var viewer = fixture.Factory.CreateKilnClient(created.Key);
        Assert.NotEmpty(await viewer.ListModelsAsync());

        var listed = (await admin.ListKeysAsync()).Single(k => k.Id == created.Info.Id);
        Assert.Equal(created.Key[..12], listed.Prefix);
        Assert.DoesNotContain(created.Key, await StoredTextAsync(fixture.Factory), StringComparison.Ordinal);

        await admin.RevokeKeyAsync(created.Info.Id);

        var error = await Assert.ThrowsAsync<KilnApiException>(() => viewer.ListModelsAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, error.Status);
        Assert.NotNull((await admin.ListKeysAsync()).Single(k => k.Id == created.Info.Id).RevokedAt);
    }

    [Fact]
    public async Task CreateKey_MissingRoleOrName_Is400()
    {
        using var http = fixture.Factory.CreateHttpClient();

        Assert.Equal(HttpStatusCode.BadRequest, (await http.PostAsync("/api/keys", Requests.Json("""{"name":"x"}"""))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await http.PostAsync("/api/keys", Requests.Json("""{"role":"viewer"}"""))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await http.PostAsync("/api/keys", Requests.Json("""{"name":"x","role":"emperor"}"""))).StatusCode);
    }

    private readonly Dictionary<KilnRole, string> _keys = [];

    private async Task<string> KeyFor(KilnRole role)
    {
        if (!_keys.TryGetValue(role, out var key))
        {
            using var admin = fixture.Factory.CreateKilnClient();
            key = (await admin.CreateKeyAsync($"test-{role}", role)).Key;
            _keys[role] = key;
        }

        return key;
    }

    private static Task<HttpResponseMessage> Send(HttpClient http, string method, string path, string? body)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (body is not null)
        {
            request.Content = Requests.Json(body);
        }

        return http.SendAsync(request);
    }

    /// <summary>Everything the metadata store holds, as text: the SQLite file and its WAL, or every PostgreSQL row.</summary>
    private static async Task<string> StoredTextAsync(KilnAppFactory factory)
    {
        if (factory.Database is { } database)
        {
            return TestBackend.Dump(database);
        }

        var file = await ReadSharedAsync(Path.Combine(factory.DataDir, "kiln.db"));
        var walPath = Path.Combine(factory.DataDir, "kiln.db-wal");
        var wal = File.Exists(walPath) ? await ReadSharedAsync(walPath) : [];
        return System.Text.Encoding.UTF8.GetString(file) + System.Text.Encoding.UTF8.GetString(wal);
    }

    private static async Task<byte[]> ReadSharedAsync(string path)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer);
        return buffer.ToArray();
    }
}
