using System.Net;
using Kiln.Core.Api;
using Kiln.Core.Security;
using Kiln.Server.Tests.Support;

namespace Kiln.Server.Tests.Security;

/// <summary>
/// The key fast path (<c>Kiln:Auth:KeyFastPath</c>) only shortens the way: every route answers every caller exactly as
/// ASP.NET Core's authentication and authorization do with it off.
/// </summary>
public sealed class KeyFastPathTests : IAsyncLifetime
{
    private readonly KilnAppFactory _fast = new(settings: new Dictionary<string, string?> { ["Kiln:Auth:KeyFastPath"] = "true" });
    private readonly KilnAppFactory _framework = new(settings: new Dictionary<string, string?> { ["Kiln:Auth:KeyFastPath"] = "false" });
    private Dictionary<string, string?> _fastKeys = [];
    private Dictionary<string, string?> _frameworkKeys = [];

    public async Task InitializeAsync()
    {
        _fastKeys = await PrepareAsync(_fast);
        _frameworkKeys = await PrepareAsync(_framework);
    }

    public Task DisposeAsync()
    {
        _fast.Dispose();
        _framework.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task EveryCaller_OnEveryRoute_GetsTheFrameworksAnswer()
    {
        var compared = 0;
        foreach (var (method, path) in ProtectedRoutes.Of(_fast.Services))
        {
            // Reads for every caller; changes only for callers that must be refused (they must not change anything).
            IEnumerable<string> callers = method == "GET" ? _fastKeys.Keys : ["none", "bad", "elsewhere"];
            foreach (var caller in callers)
            {
                var (fastStatus, fastBody) = await SendAsync(_fast, _fastKeys[caller], method, path);
                var (frameworkStatus, frameworkBody) = await SendAsync(_framework, _frameworkKeys[caller], method, path);
                Assert.True(fastStatus == frameworkStatus, $"{caller}: {method} {path} answered {fastStatus} on the fast path, {frameworkStatus} without it");
                if (fastStatus is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
                {
                    Assert.Equal(frameworkBody, fastBody);
                }

                compared++;
            }
        }

        Assert.True(compared > 300, $"only {compared} answers were compared");
    }

    [Fact]
    public async Task PredictorKey_Predicts_OnBothPaths()
    {
        foreach (var (factory, keys) in new[] { (_fast, _fastKeys), (_framework, _frameworkKeys) })
        {
            using var http = factory.CreateHttpClient(keys["predictor-gbt"]);
            using var response = await http.PostAsync("/v1/models/gbt:predict", Requests.Json("""{"instances":[[1,2,3,4,5,6,7]]}"""));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
    }

    private static async Task<(HttpStatusCode Status, string Body)> SendAsync(KilnAppFactory factory, string? key, string method, string path)
    {
        using var http = factory.CreateHttpClient(key);
        using var response = await http.SendAsync(new HttpRequestMessage(new HttpMethod(method), path) { Content = Requests.Json("{}") });
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private static async Task<Dictionary<string, string?>> PrepareAsync(KilnAppFactory factory)
    {
        await Requests.DeployGbtAsync(factory);
        using var admin = factory.CreateKilnClient();
        return new Dictionary<string, string?>
        {
            ["none"] = null,
            ["bad"] = "kiln_this_key_does_not_exist_0000000000000",
            ["admin"] = (await admin.CreateKeyAsync("admin", KilnRole.Admin)).Key,
            ["viewer"] = (await admin.CreateKeyAsync("viewer", KilnRole.Viewer)).Key,
            ["predictor-gbt"] = (await admin.CreateKeyAsync(new CreateApiKeyRequest("predictor-gbt", KilnRole.Predictor, ["gbt"]))).Key,
            ["elsewhere"] = (await admin.CreateKeyAsync(new CreateApiKeyRequest("elsewhere", KilnRole.Deployer, ["somewhere-else"]))).Key,
        };
    }
}
