using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Kiln.Storage.Tests.Support;

namespace Kiln.EndToEnd.Tests;

/// <summary>
/// R3 on PostgreSQL: <c>kill -9</c> of a replica under load (predictions, ground truth and registrations in
/// flight) loses no registry data and no acknowledged ground truth: after a restart on the same database,
/// every version whose registration was answered exists and every label whose upload was answered is there,
/// and the killed process is reported as a crash of the prediction log.
/// </summary>
public sealed class KillUnderLoadOnPostgresTests : IDisposable
{
    private const string AdminKey = "kiln_e2e_admin_key_0123456789abcdef";
    private const string Body = """{"instances":[{"age":41,"balance":1200,"day":5,"duration":300,"campaign":2,"pdays":-1,"previous":0}]}""";
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "kiln-e2e", Guid.NewGuid().ToString("N"));
    private string? _database;

    [PostgresFact]
    public async Task KillNine_UnderLoad_KeepsEveryAcknowledgedVersionAndLabel()
    {
        _database = PostgresDatabases.Create();
        var environment = new Dictionary<string, string> { ["KILN_ADMIN_KEY"] = AdminKey, ["KILN_API_KEY"] = AdminKey, ["KILN_DATABASE"] = _database };
        var model = Path.Combine(AppContext.BaseDirectory, "models", "gbt_sklearn.onnx");
        var acknowledgedLabels = new ConcurrentBag<string>();
        var acknowledgedVersions = 0;

        await using (var server = await KilnProcess.StartServerAsync(_dataDir, environment))
        {
            environment["KILN_SERVER"] = server.Url.ToString();
            await RegisterAsync(environment, model);
            acknowledgedVersions = 1;
            Assert.Equal(0, (await KilnProcess.RunAsync(environment, "deploy", "bank", "--model", "gbt/1")).ExitCode);

            using var stop = new CancellationTokenSource();
            var clients = Enumerable.Range(0, 3).Select(_ => Task.Run(() => PredictAndLabelAsync(server.Url, acknowledgedLabels, stop.Token))).ToArray();
            var registering = Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    if ((await KilnProcess.RunAsync(environment, "models", "register", "gbt", model, "--feature-names", "age,balance,day,duration,campaign,pdays,previous")).ExitCode == 0)
                    {
                        Interlocked.Increment(ref acknowledgedVersions);
                    }
                }
            });

            await Task.Delay(TimeSpan.FromSeconds(6));
            await server.KillAsync(); // SIGKILL, mid-load
            await stop.CancelAsync();
            await Task.WhenAll(clients);
            await registering;
        }

        Assert.True(acknowledgedLabels.Count > 20, $"only {acknowledgedLabels.Count} labels were acknowledged before the kill");
        await using var restarted = await KilnProcess.StartServerAsync(_dataDir, environment);
        using var http = Client(restarted.Url);
        using (var versions = JsonDocument.Parse(await http.GetStringAsync("/api/models/gbt/versions")))
        {
            Assert.True(versions.RootElement.GetArrayLength() >= acknowledgedVersions, $"{versions.RootElement.GetArrayLength()} versions after the restart, {acknowledgedVersions} acknowledged");
        }

        var labelled = new HashSet<string>(StringComparer.Ordinal);
        long? after = 0;
        while (after is { } from)
        {
            using var page = JsonDocument.Parse(await http.GetStringAsync($"/api/deployments/bank/predictions?limit=1000&after={from}"));
            foreach (var row in page.RootElement.GetProperty("predictions").EnumerateArray())
            {
                if (row.TryGetProperty("label", out var label) && label.ValueKind == JsonValueKind.String)
                {
                    labelled.Add(row.GetProperty("requestId").GetString()!);
                }
            }

            after = page.RootElement.TryGetProperty("next", out var next) && next.ValueKind == JsonValueKind.Number ? next.GetInt64() : null;
        }

        var lost = acknowledgedLabels.Where(id => !labelled.Contains(id)).ToArray();
        Assert.True(lost.Length == 0, $"{lost.Length} of {acknowledgedLabels.Count} acknowledged labels were lost, e.g. {string.Join(", ", lost.Take(5))}");

        // The killed process's prediction-log journal is found silent and reported, on PostgreSQL as on SQLite.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        var crashes = 0;
        while (crashes == 0 && DateTime.UtcNow < deadline)
        {
            using var status = JsonDocument.Parse(await http.GetStringAsync("/api/monitoring/prediction-log"));
            crashes = status.RootElement.GetProperty("crashes").GetArrayLength();
            await Task.Delay(200);
        }

        Assert.Equal(1, crashes);
    }

    // IDisposable, not IAsyncDisposable: xunit v2 never calls DisposeAsync on a test class.
    public void Dispose()
    {
        if (_database is not null)
        {
            PostgresDatabases.Drop(_database);
        }

        try
        {
            Directory.Delete(_dataDir, recursive: true);
        }
        catch (Exception e) when (e is DirectoryNotFoundException or IOException or UnauthorizedAccessException)
        {
            // Never created, or a file still held a moment by a stopped server: a temp folder, left for the OS.
        }
    }

    private static async Task RegisterAsync(Dictionary<string, string> environment, string model)
    {
        var (exitCode, stdout, stderr) = await KilnProcess.RunAsync(environment, "models", "register", "gbt", model, "--feature-names", "age,balance,day,duration,campaign,pdays,previous");
        Assert.True(exitCode == 0, $"register: {stdout} {stderr}");
    }

    private static HttpClient Client(Uri url)
    {
        var http = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromSeconds(10) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
        return http;
    }

    // Predicts, then sends the label of that prediction; a label counts as acknowledged only when the server said it was accepted.
    private static async Task PredictAndLabelAsync(Uri url, ConcurrentBag<string> acknowledged, CancellationToken stop)
    {
        using var http = Client(url);
        while (!stop.IsCancellationRequested)
        {
            try
            {
                using var predicted = await http.PostAsync("/v1/models/bank:predict", new StringContent(Body, Encoding.UTF8, "application/json"), CancellationToken.None);
                if (!predicted.IsSuccessStatusCode)
                {
                    continue;
                }

                var id = predicted.Headers.GetValues("Kiln-Request-Id").Single();
                using var labelled = await http.PostAsync(
                    "/api/deployments/bank/ground-truth",
                    new StringContent($$"""{"labels":[{"request_id":"{{id}}","row":0,"value":1}]}""", Encoding.UTF8, "application/json"),
                    CancellationToken.None);
                if (labelled.IsSuccessStatusCode)
                {
                    using var result = JsonDocument.Parse(await labelled.Content.ReadAsStringAsync(CancellationToken.None));
                    if (result.RootElement.GetProperty("accepted").GetInt32() == 1)
                    {
                        acknowledged.Add(id);
                    }
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
            {
                // The server was killed under this request: nothing was acknowledged.
            }
        }
    }
}
