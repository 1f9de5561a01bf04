using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace Kiln.EndToEnd.Tests;

/// <summary>
/// R3's honesty half: when the server is killed with rows still queued for the prediction log, the restarted server
/// says how many it had acknowledged and not stored. The test holds the log database's write lock (a stalled disk, as
/// far as the writer can tell) so the queue fills and overflows; then kill -9, restart, and the report must account
/// for every row the clients were served: stored + reported lost + dropped.
/// </summary>
public sealed class CrashLossReportTests : IDisposable
{
    private const string AdminKey = "kiln_e2e_admin_key_0123456789abcdef";
    private const int RowsPerRequest = 100;
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "kiln-e2e", Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task KillNine_WithAFullQueue_RestartReportsEveryUnstoredRow()
    {
        var environment = new Dictionary<string, string>
        {
            ["KILN_ADMIN_KEY"] = AdminKey,
            ["KILN_API_KEY"] = AdminKey,
            ["KILN_Monitoring__QueueCapacityRows"] = "8000",
        };
        var served = 0L;
        await using (var server = await KilnProcess.StartServerAsync(_dataDir, environment))
        {
            environment["KILN_SERVER"] = server.Url.ToString();
            var model = Path.Combine(AppContext.BaseDirectory, "models", "gbt_sklearn.onnx");
            Assert.Equal(0, (await KilnProcess.RunAsync(environment, "models", "register", "gbt", model, "--feature-names", "age,balance,day,duration,campaign,pdays,previous")).ExitCode);
            Assert.Equal(0, (await KilnProcess.RunAsync(environment, "deploy", "bank", "--model", "gbt/1")).ExitCode);
            using var http = Client(server.Url);
            served += await PredictAsync(http, requests: 3);
            await WaitUntilAsync(async () => (await StatusAsync(http)).GetProperty("writtenRows").GetInt64() == served, "the first rows were not written");

            await using (var stall = new SqliteConnection($"Data Source={Path.Combine(_dataDir, "monitoring.db")}"))
            {
                await stall.OpenAsync();
                await using (var begin = stall.CreateCommand())
                {
                    begin.CommandText = "BEGIN IMMEDIATE";
                    await begin.ExecuteNonQueryAsync();
                }

                served += await PredictAsync(http, requests: 120);
                var status = await StatusAsync(http);
                Assert.True(status.GetProperty("queuedRows").GetInt64() > 0, "nothing was queued: " + status);
                Assert.True(status.GetProperty("droppedRows").GetInt64() > 0, "the queue never filled: " + status);

                await Task.Delay(TimeSpan.FromMilliseconds(600)); // two checkpoint intervals and more: the counters are in the journal
                await server.KillAsync();
            }
        }

        SqliteConnection.ClearAllPools();
        await using var restarted = await KilnProcess.StartServerAsync(_dataDir, environment);
        using var client = Client(restarted.Url);
        JsonElement crash = default;
        await WaitUntilAsync(
            async () =>
            {
                var crashes = (await StatusAsync(client)).GetProperty("crashes");
                crash = crashes.GetArrayLength() == 1 ? crashes[0].Clone() : default;
                return crashes.GetArrayLength() == 1;
            },
            "the restarted server did not report the crash");

        var stored = await CountStoredAsync(client);
        var lost = crash.GetProperty("lostRows").GetInt64();
        var dropped = crash.GetProperty("droppedRows").GetInt64();
        Assert.True(lost > 0, "no loss reported: " + crash);
        Assert.Equal(served, stored + lost + dropped);
        Assert.Equal(crash.GetProperty("writtenRows").GetInt64(), stored);
        Assert.Contains("stopped without a clean shutdown", restarted.Output, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dataDir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static HttpClient Client(Uri url)
    {
        var http = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
        return http;
    }

    /// <summary>Sends <paramref name="requests"/> requests of <see cref="RowsPerRequest"/> rows, four at a time; returns the rows served.</summary>
    private static async Task<long> PredictAsync(HttpClient http, int requests)
    {
        var row = """{"age":41,"balance":1200,"day":5,"duration":300,"campaign":2,"pdays":-1,"previous":0}""";
        var body = "{\"instances\":[" + string.Join(',', Enumerable.Repeat(row, RowsPerRequest)) + "]}";
        var served = 0L;
        await Parallel.ForAsync(0, requests, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (_, cancellationToken) =>
        {
            using var response = await http.PostAsync("/v1/models/bank:predict", new StringContent(body, Encoding.UTF8, "application/json"), cancellationToken);
            response.EnsureSuccessStatusCode();
            Interlocked.Add(ref served, RowsPerRequest);
        });
        return served;
    }

    private static async Task<JsonElement> StatusAsync(HttpClient http)
    {
        using var document = JsonDocument.Parse(await http.GetStringAsync("/api/monitoring/prediction-log"));
        return document.RootElement.Clone();
    }

    private static async Task<long> CountStoredAsync(HttpClient http)
    {
        var count = 0L;
        long? after = 0;
        while (after is { } from)
        {
            using var page = JsonDocument.Parse(await http.GetStringAsync($"/api/deployments/bank/predictions?limit=1000&after={from}"));
            count += page.RootElement.GetProperty("predictions").GetArrayLength();
            after = page.RootElement.TryGetProperty("next", out var next) && next.ValueKind == JsonValueKind.Number ? next.GetInt64() : null;
        }

        return count;
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string failure)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            if (await condition())
            {
                return;
            }

            await Task.Delay(200);
        }

        Assert.Fail(failure);
    }
}
