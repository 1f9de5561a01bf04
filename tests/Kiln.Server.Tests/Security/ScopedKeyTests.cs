using System.Net;
using Kiln.Client;
using Kiln.Core.Api;
using Kiln.Core.Security;
using Kiln.Server.Tests.Support;

namespace Kiln.Server.Tests.Security;

/// <summary>Keys limited to deployments, expiring keys and rotation (F29).</summary>
public sealed class ScopedKeyTests : IClassFixture<ScopedKeyTests.TwoDeployments>
{
    private const string V1Body = """{"instances":[[1,2,3,4,5,6,7]]}""";
    private readonly TwoDeployments _fixture;

    public ScopedKeyTests(TwoDeployments fixture) => _fixture = fixture;

    [Fact]
    public async Task PredictorLimitedToOneDeployment_PredictsThere_AndIsRefusedEverywhereElse()
    {
        using var admin = _fixture.Factory.CreateKilnClient();
        var key = await admin.CreateKeyAsync(new CreateApiKeyRequest("bank-client", KilnRole.Predictor, ["gbt"]));
        using var http = _fixture.Factory.CreateHttpClient(key.Key);

        using var own = await http.PostAsync("/v1/models/gbt:predict", Requests.Json(V1Body));
        using var ownMonitoring = await http.GetAsync("/api/deployments/gbt/predictions?limit=1");
        using var other = await http.PostAsync("/v1/models/other:predict", Requests.Json(V1Body));
        using var list = await http.GetAsync("/api/deployments");
        using var models = await http.GetAsync("/api/models");

        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ownMonitoring.StatusCode);
        Assert.Equal((HttpStatusCode.Forbidden, HttpStatusCode.Forbidden, HttpStatusCode.Forbidden), (other.StatusCode, list.StatusCode, models.StatusCode));
        Assert.Contains("limited to the deployments gbt", (await other.ReadJsonAsync()).GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(["gbt"], (await admin.ListKeysAsync()).Single(k => k.Id == key.Info.Id).Deployments);
    }

    [Fact]
    public async Task EveryProtectedRoute_RefusesAKeyLimitedToAnotherDeployment_AndAnswersNoKeyWith401()
    {
        using var admin = _fixture.Factory.CreateKilnClient();
        var elsewhere = await admin.CreateKeyAsync(new CreateApiKeyRequest("elsewhere", KilnRole.Deployer, ["somewhere-else"]));
        using var scoped = _fixture.Factory.CreateHttpClient(elsewhere.Key);
        using var anonymous = _fixture.Factory.CreateHttpClient(null);
        var checkedRoutes = 0;
        foreach (var (method, path) in ProtectedRoutes.Of(_fixture.Factory.Services))
        {
            using var refused = await scoped.SendAsync(new HttpRequestMessage(new HttpMethod(method), path) { Content = Requests.Json("{}") });
            using var unauthenticated = await anonymous.SendAsync(new HttpRequestMessage(new HttpMethod(method), path) { Content = Requests.Json("{}") });

            Assert.True(refused.StatusCode == HttpStatusCode.Forbidden, $"{method} {path} answered {(int)refused.StatusCode} to a key limited to another deployment");
            Assert.True(unauthenticated.StatusCode == HttpStatusCode.Unauthorized, $"{method} {path} answered {(int)unauthenticated.StatusCode} without a key");
            checkedRoutes++;
        }

        Assert.True(checkedRoutes > 100, $"only {checkedRoutes} routes were found");
    }

    [Fact]
    public async Task ExpiredKey_IsRefused_AndAnExpiryInThePastIsA400()
    {
        using var admin = _fixture.Factory.CreateKilnClient();
        var shortLived = await admin.CreateKeyAsync(new CreateApiKeyRequest("short", KilnRole.Viewer, Expires: "1s"));
        using var viewer = _fixture.Factory.CreateKilnClient(shortLived.Key);
        Assert.NotEmpty(await viewer.ListModelsAsync());

        await Task.Delay(TimeSpan.FromSeconds(1.5));

        var error = await Assert.ThrowsAsync<KilnApiException>(() => viewer.ListModelsAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, error.Status);
        var past = await Assert.ThrowsAsync<KilnApiException>(() => admin.CreateKeyAsync(new CreateApiKeyRequest("past", KilnRole.Viewer, Expires: "2020-01-01T00:00:00Z")));
        Assert.Equal(HttpStatusCode.BadRequest, past.Status);
    }

    [Fact]
    public async Task Rotate_BothKeysWorkDuringTheOverlap_ThenOnlyTheNewOne()
    {
        using var admin = _fixture.Factory.CreateKilnClient();
        var original = await admin.CreateKeyAsync(new CreateApiKeyRequest("ci", KilnRole.Predictor, ["gbt"], "90d"));

        var rotated = await admin.RotateKeyAsync(original.Info.Id, "1h");
        using var oldKey = _fixture.Factory.CreateHttpClient(original.Key);
        using var newKey = _fixture.Factory.CreateHttpClient(rotated.Key);
        Assert.Equal(HttpStatusCode.OK, (await oldKey.PostAsync("/v1/models/gbt:predict", Requests.Json(V1Body))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await newKey.PostAsync("/v1/models/gbt:predict", Requests.Json(V1Body))).StatusCode);
        Assert.Equal(("gbt", KilnRole.Predictor, "ci"), (string.Join(",", rotated.Info.Deployments!), rotated.Info.Role, rotated.Info.Name));
        Assert.InRange(rotated.Previous.ExpiresAt!.Value - DateTimeOffset.UtcNow, TimeSpan.FromMinutes(59), TimeSpan.FromMinutes(61));
        Assert.InRange(rotated.Info.ExpiresAt!.Value - DateTimeOffset.UtcNow, TimeSpan.FromDays(89.9), TimeSpan.FromDays(90.1));

        await admin.RotateKeyAsync(rotated.Info.Id, "0s");

        Assert.Equal(HttpStatusCode.Unauthorized, (await newKey.PostAsync("/v1/models/gbt:predict", Requests.Json(V1Body))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await oldKey.PostAsync("/v1/models/gbt:predict", Requests.Json(V1Body))).StatusCode);
        var again = await Assert.ThrowsAsync<KilnApiException>(() => admin.RotateKeyAsync(rotated.Info.Id));
        Assert.Equal(HttpStatusCode.Conflict, again.Status);
    }

    [Theory]
    [InlineData("""{"name":"x","role":"predictor","deployments":[]}""", "deployments")]
    [InlineData("""{"name":"x","role":"predictor","deployments":["ok","not ok"]}""", "deployments[1]")]
    [InlineData("""{"name":"x","role":"admin","deployments":["gbt"]}""", "deployments")]
    [InlineData("""{"name":"x","role":"viewer","expires":"someday"}""", "expires")]
    [InlineData("""{"name":"x","role":"viewer","expires":"-5m"}""", "expires")]
    public async Task CreateKey_BadScopeOrExpiry_Is400NamingTheField(string json, string field)
    {
        using var http = _fixture.Factory.CreateHttpClient();

        using var response = await http.PostAsync("/api/keys", Requests.Json(json));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(field, (await response.ReadJsonAsync()).GetProperty("field").GetString());
    }

    [Fact]
    public async Task Rotate_BadOverlapOrUnknownKey_Is4xx()
    {
        using var http = _fixture.Factory.CreateHttpClient();

        using var unknown = await http.PostAsync("/api/keys/nope/rotate", Requests.Json("{}"));
        using var bad = await http.PostAsync($"/api/keys/{(await KeyIdAsync())}/rotate", Requests.Json("""{"overlap":"a while"}"""));

        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("overlap", (await bad.ReadJsonAsync()).GetProperty("field").GetString());
    }

    private async Task<string> KeyIdAsync()
    {
        using var admin = _fixture.Factory.CreateKilnClient();
        return (await admin.CreateKeyAsync("to-rotate", KilnRole.Viewer)).Info.Id;
    }

    /// <summary>gbt and other, two deployments of the same model.</summary>
    public sealed class TwoDeployments : IAsyncLifetime
    {
        public KilnAppFactory Factory { get; } = new();

        public async Task InitializeAsync()
        {
            await Requests.DeployGbtAsync(Factory);
            using var admin = Factory.CreateKilnClient();
            await admin.DeployAsync("other", "gbt@champion");
        }

        public Task DisposeAsync()
        {
            Factory.Dispose();
            return Task.CompletedTask;
        }
    }
}
