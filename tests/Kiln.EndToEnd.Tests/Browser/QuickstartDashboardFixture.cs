using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Kiln.EndToEnd.Tests.Browser;

/// <summary>
/// What the dashboard is tested on: the quickstart's own data (a trained and registered model, a candidate, a canary
/// with its automated decisions, labelled traffic and a drift episode), made by the real <c>kiln quickstart</c>, then
/// served by <c>kiln serve</c> with auth on, so that nothing moves while a test compares the page with the API.
/// </summary>
public sealed class QuickstartDashboardFixture : IAsyncLifetime
{
    public const string AdminKey = "kiln_dashboard_admin_key_0123456789ab";
    public const string Deployment = "bank-marketing";
    private const string Row = """{"dataframe_split":{"columns":["age","job","marital","education","default","balance","housing","loan","contact","day","month","campaign","pdays","previous","poutcome"],"data":[[50,"blue-collar","married","secondary","no",2565,"no","no","cellular",24,"mar",2,-1,0,"unknown"]]}}""";
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "kiln-e2e", "dashboard-" + Guid.NewGuid().ToString("N"));
    private KilnProcess? _server;

    public Uri Url => _server?.Url ?? throw new InvalidOperationException("Not started.");

    /// <summary>Requests sent to the deployment after the server started: what its live numbers count.</summary>
    public int RequestsSent { get; private set; }

    public async Task InitializeAsync()
    {
        var url = KilnProcess.FreeUrl();
        await using (var quickstart = await KilnProcess.StartUntilAsync(
            url, "Kiln quickstart is serving.", TimeSpan.FromMinutes(4), new Dictionary<string, string>(),
            "quickstart", "--data-dir", _dataDir, "--urls", url.ToString().TrimEnd('/'), "--short", "--drift-after", "20s"))
        {
            // Let the simulated clients run until the canary analysis has decided once (its first step is a minute).
            using var http = new HttpClient { BaseAddress = url };
            var deadline = DateTime.UtcNow.AddMinutes(3);
            while (DateTime.UtcNow < deadline && !await CanaryDecidedAsync(http))
            {
                await Task.Delay(2000);
            }

            await Task.Delay(TimeSpan.FromSeconds(5));
        }

        // Pipelines stay still here: a retraining run the drift alert started must not canary under the page tests.
        _server = await KilnProcess.StartServerAsync(_dataDir, new Dictionary<string, string> { ["KILN_ADMIN_KEY"] = AdminKey, ["Kiln__Pipelines__Enabled"] = "false" });
        using var client = Api();
        var ready = DateTime.UtcNow.AddMinutes(1);
        while ((await GetJsonAsync($"api/deployments/{Deployment}")).GetProperty("status").GetString() != "ready")
        {
            Assert.True(DateTime.UtcNow < ready, "The deployment did not load within a minute after the restart.");
            await Task.Delay(200);
        }

        for (RequestsSent = 0; RequestsSent < 40; RequestsSent++)
        {
            using var response = await client.PostAsync($"deployments/{Deployment}/invocations", new StringContent(Row, Encoding.UTF8, "application/json"));
            response.EnsureSuccessStatusCode();
        }
    }

    /// <summary>An API client with the admin key.</summary>
    public HttpClient Api()
    {
        var http = new HttpClient { BaseAddress = Url };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
        return http;
    }

    public async Task<JsonElement> GetJsonAsync(string path)
    {
        using var http = Api();
        return await http.GetFromJsonAsync<JsonElement>(path);
    }

    private static async Task<bool> CanaryDecidedAsync(HttpClient http)
    {
        try
        {
            var history = await http.GetFromJsonAsync<JsonElement>($"api/deployments/{Deployment}/history");
            return history.EnumerateArray().Any(r => r.GetProperty("change").GetString() is "canary_step" or "canary_rollback" or "canary_promote");
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        try
        {
            Directory.Delete(_dataDir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
