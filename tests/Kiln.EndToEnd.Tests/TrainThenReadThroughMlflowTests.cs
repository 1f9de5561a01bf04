using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Kiln.EndToEnd.Tests;

/// <summary>`kiln train` logs runs through Kiln's API; an MLflow client reads the same runs back through MLflow's API.</summary>
public sealed class TrainThenReadThroughMlflowTests : IDisposable
{
    private const string AdminKey = "kiln_e2e_admin_key_0123456789abcdef";
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "kiln-e2e", Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task KilnTrain_RunsAreReadableThroughTheMlflowApi()
    {
        var environment = new Dictionary<string, string> { ["KILN_ADMIN_KEY"] = AdminKey, ["KILN_API_KEY"] = AdminKey };
        await using var server = await KilnProcess.StartServerAsync(_dataDir, environment);
        environment["KILN_SERVER"] = server.Url.ToString();
        var csv = Path.Combine(_dataDir, "bank.csv");
        await Run(environment, "demo", "data", "--rows", "4000", "--seed", "3", "--output", csv);
        await Run(environment, "train", "--data", csv, "--label", "y", "--exclude-columns", "duration", "--trials", "2", "--experiment", "through-mlflow", "--algorithms", "logreg,lightgbm");

        using var http = new HttpClient { BaseAddress = server.Url };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
        var experiment = JsonDocument.Parse(await http.GetStringAsync("api/2.0/mlflow/experiments/get-by-name?experiment_name=through-mlflow")).RootElement.GetProperty("experiment");
        var search = await http.PostAsync("api/2.0/mlflow/runs/search", new StringContent(
            $$"""{"experiment_ids":["{{experiment.GetProperty("experiment_id").GetString()}}"],"filter":"metrics.auc > 0","order_by":["metrics.auc DESC"]}""",
            Encoding.UTF8, "application/json"));
        var runs = JsonDocument.Parse(await search.Content.ReadAsStringAsync()).RootElement.GetProperty("runs");

        Assert.Equal(2, runs.GetArrayLength());
        foreach (var run in runs.EnumerateArray())
        {
            Assert.Equal("FINISHED", run.GetProperty("info").GetProperty("status").GetString());
            var parameters = run.GetProperty("data").GetProperty("params").EnumerateArray().ToDictionary(p => p.GetProperty("key").GetString()!, p => p.GetProperty("value").GetString());
            Assert.Contains(parameters["algorithm"], new[] { "logreg", "lightgbm" });
            Assert.Contains(run.GetProperty("data").GetProperty("metrics").EnumerateArray(), m => m.GetProperty("key").GetString() == "auc");
            var artifacts = JsonDocument.Parse(await http.GetStringAsync($"api/2.0/mlflow/artifacts/list?run_id={run.GetProperty("info").GetProperty("run_id").GetString()}&path=model")).RootElement;
            Assert.Contains(artifacts.GetProperty("files").EnumerateArray(), f => f.GetProperty("path").GetString()!.EndsWith("model.zip", StringComparison.Ordinal));
        }
    }

    private static async Task Run(IDictionary<string, string> environment, params string[] args)
    {
        var result = await KilnProcess.RunAsync(environment, args);
        Assert.True(result.ExitCode == 0, $"kiln {string.Join(' ', args)} exited {result.ExitCode}:\n{result.Stdout}\n{result.Stderr}");
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
