using System.Text.Json;

namespace Kiln.EndToEnd.Tests;

/// <summary>
/// A pipeline run survives its server: a step is running when <c>kiln serve</c> is killed (SIGKILL); the restarted
/// server takes the run over, counts the step's attempt as interrupted, retries it once, and finishes the run.
/// The CLI drives it all: apply, run, logs.
/// </summary>
public sealed class PipelineRestartTests : IDisposable
{
    private const string AdminKey = "kiln_e2e_admin_key_0123456789abcdef";
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "kiln-e2e", Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task Run_ServerKilledMidStep_IsTakenOverAndTheStepRetriedOnce()
    {
        Directory.CreateDirectory(_dataDir);
        var file = Path.Combine(_dataDir, "slow.yaml");
        await File.WriteAllTextAsync(file, """
            name: slow
            steps:
              nap: { kind: command, retries: 1, with: { program: sleep, args: ["3"] } }
              after: { kind: command, needs: nap, with: { program: echo, args: [done] } }
            """);
        var environment = new Dictionary<string, string>
        {
            ["KILN_ADMIN_KEY"] = AdminKey,
            ["KILN_API_KEY"] = AdminKey,
            ["Kiln__Pipelines__OwnerTimeout"] = "00:00:15",
            ["Kiln__Pipelines__PollInterval"] = "00:00:00.500",
        };
        string runId;
        await using (var server = await KilnProcess.StartServerAsync(_dataDir, environment))
        {
            environment["KILN_SERVER"] = server.Url.ToString();
            Assert.Equal(0, (await KilnProcess.RunAsync(environment, "pipelines", "apply", file)).ExitCode);
            var (exit, started, _) = await KilnProcess.RunAsync(environment, "pipelines", "run", "slow", "--output", "json");
            Assert.Equal(0, exit);
            runId = JsonDocument.Parse(started).RootElement.GetProperty("id").GetString()!;
            using var http = Api(server.Url);
            await WaitAsync(http, runId, run => Step(run, "nap").GetProperty("status").GetString() == "running", TimeSpan.FromSeconds(30));
            await server.KillAsync();
        }

        await using (var restarted = await KilnProcess.StartServerAsync(_dataDir, environment))
        {
            using var http = Api(restarted.Url);
            var done = await WaitAsync(http, runId, run => run.GetProperty("run").GetProperty("status").GetString() is "succeeded" or "failed", TimeSpan.FromSeconds(90));

            Assert.Equal("succeeded", done.GetProperty("run").GetProperty("status").GetString());
            Assert.Equal(2, Step(done, "nap").GetProperty("attempt").GetInt32());
            environment["KILN_SERVER"] = restarted.Url.ToString();
            var (_, log, _) = await KilnProcess.RunAsync(environment, "pipelines", "logs", runId[..8], "--step", "nap");
            Assert.Contains("attempt interrupted: the replica running it stopped", log, StringComparison.Ordinal);
            Assert.Contains("attempt 2 of 2 started", log, StringComparison.Ordinal);
        }
    }

    private static async Task<JsonElement> WaitAsync(HttpClient http, string id, Func<JsonElement, bool> done, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var run = JsonDocument.Parse(await http.GetStringAsync($"api/pipelines/runs/{id}")).RootElement;
            if (done(run))
            {
                return run;
            }

            Assert.True(DateTime.UtcNow < deadline, $"run {id} did not get there in {timeout}: {run}");
            await Task.Delay(200);
        }
    }

    private static JsonElement Step(JsonElement run, string name) =>
        run.GetProperty("steps").EnumerateArray().Single(s => s.GetProperty("name").GetString() == name);

    private static HttpClient Api(Uri url)
    {
        var http = new HttpClient { BaseAddress = url };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", AdminKey);
        return http;
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
}
