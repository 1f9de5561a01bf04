using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;

namespace Kiln.EndToEnd.Tests;

/// <summary>
/// The README's first command, for real: <c>kiln quickstart --short</c> generates demo data, trains
/// a tracked sweep, registers and deploys the best, and serves every protocol; a second start reuses it all.
/// </summary>
public sealed class QuickstartTests : IDisposable
{
    private const string ReadyLine = "Kiln quickstart is serving.";
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "kiln-e2e", Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task Quickstart_Short_TrainsRegistersDeploysAndServesEveryProtocol_ThenReuses()
    {
        var url = KilnProcess.FreeUrl();
        var args = new[] { "quickstart", "--short", "--data-dir", _dataDir, "--urls", url.ToString().TrimEnd('/') };
        var clock = Stopwatch.StartNew();
        await using (var first = await KilnProcess.StartUntilAsync(url, ReadyLine, TimeSpan.FromMinutes(3), new Dictionary<string, string>(), args))
        {
            var firstTime = clock.Elapsed;
            // The first address the quickstart prints is the dashboard's.
            var firstUrl = first.Output.Split('\n').First(l => l.Contains("http://", StringComparison.Ordinal));
            Assert.Contains($"Dashboard: {url}", firstUrl, StringComparison.Ordinal);
            using var http = new HttpClient { BaseAddress = url };
            await PredictEveryProtocolAsync(http, first.Output);

            var experiment = JsonDocument.Parse(await http.GetStringAsync("api/experiments/by-name/bank-marketing")).RootElement;
            var search = await http.PostAsync("api/runs/search", Json($$"""{"experimentIds":["{{experiment.GetProperty("id").GetString()}}"],"orderBy":["metrics.auc DESC"]}"""));
            var runs = JsonDocument.Parse(await search.Content.ReadAsStringAsync()).RootElement.GetProperty("runs");
            // Three trials for the champion, two for the candidate trained on more recent data.
            Assert.Equal(5, runs.GetArrayLength());
            var champion = JsonDocument.Parse(await http.GetStringAsync("api/models/bank-marketing/aliases/champion")).RootElement;
            var candidate = JsonDocument.Parse(await http.GetStringAsync("api/models/bank-marketing/aliases/candidate")).RootElement;
            Assert.Equal("mlnet", champion.GetProperty("manifest").GetProperty("flavor").GetString());
            // Tree trials are served by the compiled tree engine, a linear one by ML.NET; the version says which and why.
            var metadata = champion.GetProperty("manifest").GetProperty("metadata");
            Assert.Equal(
                metadata.GetProperty("algorithm").GetString() == "logreg" ? "mlnet" : "compiled-trees",
                metadata.GetProperty("kiln.engine").GetString());
            var championRun = runs.EnumerateArray().Single(r => r.GetProperty("id").GetString() == champion.GetProperty("manifest").GetProperty("runId").GetString());
            Assert.True(championRun.GetProperty("metrics").GetProperty("auc").GetDouble() > 0.6);
            Assert.NotEqual(champion.GetProperty("version").GetInt32(), candidate.GetProperty("version").GetInt32());

            // The candidate runs as a canary beside the champion.
            var deployment = JsonDocument.Parse(await http.GetStringAsync("api/deployments/bank-marketing")).RootElement.GetProperty("deployment");
            Assert.Equal("canary", deployment.GetProperty("canary").GetProperty("variant").GetString());
            Assert.Contains(deployment.GetProperty("variants").EnumerateArray(), v => v.GetProperty("role").GetString() == "canary"
                && v.GetProperty("modelVersion").GetInt32() == candidate.GetProperty("version").GetInt32());
            Assert.True(firstTime < TimeSpan.FromMinutes(2), $"quickstart took {firstTime} to serve");
            await SimulatedTrafficIsMonitoredAsync(http, first.Output);
        }

        await using var second = await KilnProcess.StartUntilAsync(url, ReadyLine, TimeSpan.FromMinutes(2), new Dictionary<string, string>(), args);
        Assert.Contains("Reusing bank-marketing@champion", second.Output, StringComparison.Ordinal);
        using var again = new HttpClient { BaseAddress = url };
        await PredictEveryProtocolAsync(again, second.Output);
    }

    /// <summary>Runs the copy-paste requests the quickstart printed, as a user would.</summary>
    private static async Task PredictEveryProtocolAsync(HttpClient http, string output)
    {
        var commands = output.Split('\n').Where(l => l.StartsWith("curl ", StringComparison.Ordinal) && l.Contains(" -d '", StringComparison.Ordinal)).ToArray();
        Assert.Equal(3, commands.Length);
        foreach (var command in commands)
        {
            var path = new Uri(command.Split(' ')[2]).PathAndQuery.TrimStart('/');
            var body = command[(command.IndexOf("-d '", StringComparison.Ordinal) + 4)..^1];
            using var response = await http.PostAsync(path, Json(body));
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode} {text}");
            Assert.Contains("\"yes\"", text, StringComparison.Ordinal);
        }

        var csvLine = output.Split('\n').Single(l => l.StartsWith("printf ", StringComparison.Ordinal));
        var csv = csvLine.Split('\'')[1].Replace("\\n", "\n", StringComparison.Ordinal);
        using var csvResponse = await http.PostAsync("deployments/bank-marketing/invocations", new StringContent(csv, Encoding.UTF8, "text/csv"));
        Assert.Equal(HttpStatusCode.OK, csvResponse.StatusCode);
    }

    /// <summary>The simulated clients' requests reach the log and the metrics, and the drift alert rule exists.</summary>
    private static async Task SimulatedTrafficIsMonitoredAsync(HttpClient http, string output)
    {
        Assert.Contains("kiln monitor drift bank-marketing", output, StringComparison.Ordinal);
        long written = 0;
        for (var i = 0; i < 100 && written == 0; i++)
        {
            await Task.Delay(200);
            written = JsonDocument.Parse(await http.GetStringAsync("api/monitoring/prediction-log")).RootElement.GetProperty("writtenRows").GetInt64();
        }

        Assert.True(written > 0, "the simulated traffic never reached the prediction log");
        var metrics = await http.GetStringAsync("metrics");
        Assert.Contains("kiln_inference_requests_total{protocol=\"mlflow\",deployment=\"bank-marketing\"", metrics, StringComparison.Ordinal);
        var rules = JsonDocument.Parse(await http.GetStringAsync("api/alerts/rules")).RootElement;
        Assert.Contains(rules.EnumerateArray(), r => r.GetProperty("name").GetString() == "quickstart-dataset-drift");
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

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
