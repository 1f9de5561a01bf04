using System.Text.Json;

namespace Kiln.EndToEnd.Tests;

/// <summary>
/// The model factory's closed loop on the real process, as the quickstart runs it: drifted traffic trips the drift
/// alert, the alert starts the bank-retrain pipeline, which retrains on fresh production rows, evaluates, registers and
/// canaries the candidate, and the canary's analysis decides, with no human. The lineage ties each link to the next.
/// </summary>
public sealed class ClosedLoopTests : IDisposable
{
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "kiln-e2e", Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task Quickstart_DriftAlert_StartsRetraining_ThatEndsInACanaryDecision()
    {
        var url = KilnProcess.FreeUrl();
        await using var quickstart = await KilnProcess.StartUntilAsync(url, "Kiln quickstart is serving.", TimeSpan.FromMinutes(3), new Dictionary<string, string>(),
            "quickstart", "--short", "--data-dir", _dataDir, "--urls", url.ToString().TrimEnd('/'), "--drift-after", "20s", "--canary-interval", "15s");
        Assert.Contains("Pipeline bank-retrain v1 applied", quickstart.Output, StringComparison.Ordinal);
        using var http = new HttpClient { BaseAddress = url };

        var run = await WaitForRetrainingAsync(http, TimeSpan.FromMinutes(8));

        // alert → run
        var summary = run.GetProperty("run");
        Assert.Equal("succeeded", summary.GetProperty("status").GetString());
        Assert.Equal("alert", summary.GetProperty("triggerKind").GetString());
        Assert.StartsWith("alert quickstart-dataset-drift firing on bank-marketing", summary.GetProperty("triggerReason").GetString(), StringComparison.Ordinal);
        var runId = summary.GetProperty("id").GetString()!;

        // run → new version, with lineage to the run, its training run and its data
        var retrain = Outputs(run, "retrain");
        var register = Outputs(run, "register");
        var version = register.GetProperty("version").GetInt32();
        var registered = JsonDocument.Parse(await http.GetStringAsync($"api/models/bank-marketing/versions/{version}")).RootElement;
        Assert.Equal(runId, registered.GetProperty("tags").GetProperty("kiln.pipeline_run").GetString());
        Assert.Equal(retrain.GetProperty("run_id").GetString(), registered.GetProperty("manifest").GetProperty("runId").GetString());
        var training = JsonDocument.Parse(await http.GetStringAsync($"api/runs/{retrain.GetProperty("run_id").GetString()}")).RootElement;
        Assert.Equal(runId, training.GetProperty("tags").GetProperty("kiln.pipeline_run").GetString());
        Assert.True(Outputs(run, "fresh").GetProperty("rows").GetInt32() > 10_000, "the retraining data is the history plus production rows");
        Assert.True(Outputs(run, "evaluate").GetProperty("passed").GetBoolean());

        // new version → canary decision, made by the analysis and recorded in the deployment's history
        var canary = Outputs(run, "canary");
        var outcome = canary.GetProperty("outcome").GetString();
        Assert.Contains(outcome, new[] { "promoted", "rolled_back" });
        var history = JsonDocument.Parse(await http.GetStringAsync("api/deployments/bank-marketing/history")).RootElement.EnumerateArray().ToList();
        var start = history.Single(r => r.GetProperty("change").GetString() == "canary_start" && r.GetProperty("actor").GetString()!.Contains(runId[..8], StringComparison.Ordinal));
        Assert.Contains(history, r => r.GetProperty("number").GetInt32() > start.GetProperty("number").GetInt32()
            && r.GetProperty("change").GetString() == (outcome == "promoted" ? "canary_promote" : "canary_rollback")
            && r.GetProperty("reason").GetString()!.Contains($"bank-marketing/{version}", StringComparison.Ordinal));

        // and the chain is visible from the CLI
        var (exit, stdout, _) = await KilnProcess.RunAsync(new Dictionary<string, string>(), "pipelines", "runs", "bank-retrain", "--server", url.ToString(), "--output", "json");
        Assert.Equal(0, exit);
        var listed = JsonDocument.Parse(stdout).RootElement.EnumerateArray().Single(r => r.GetProperty("id").GetString() == runId);
        Assert.Equal("alert", listed.GetProperty("triggerKind").GetString());
        (exit, stdout, _) = await KilnProcess.RunAsync(new Dictionary<string, string>(), "pipelines", "show", runId[..8], "--server", url.ToString());
        Assert.Equal(0, exit);
        Assert.Contains("canary", stdout, StringComparison.Ordinal);
    }

    private static async Task<JsonElement> WaitForRetrainingAsync(HttpClient http, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var runs = JsonDocument.Parse(await http.GetStringAsync("api/pipelines/bank-retrain/runs")).RootElement.EnumerateArray().ToList();
            if (runs.FirstOrDefault(r => r.GetProperty("status").GetString() is "succeeded" or "failed" or "cancelled") is { ValueKind: JsonValueKind.Object } done)
            {
                return JsonDocument.Parse(await http.GetStringAsync($"api/pipelines/runs/{done.GetProperty("id").GetString()}")).RootElement;
            }

            Assert.True(DateTime.UtcNow < deadline, $"no retraining run ended within {timeout}: {string.Join("; ", runs.Select(r => r.ToString()))}");
            await Task.Delay(TimeSpan.FromSeconds(2));
        }
    }

    private static JsonElement Outputs(JsonElement run, string step) =>
        run.GetProperty("steps").EnumerateArray().Single(s => s.GetProperty("name").GetString() == step).GetProperty("outputs");

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
