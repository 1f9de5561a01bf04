using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Kiln.Server.Tests.Support;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Kiln.Server.Tests.Metrics;

/// <summary>
/// The real thing: Kiln on a TCP port, a real Prometheus scraping it with a bearer key and
/// evaluating deploy/prometheus/kiln-rules.yml, queried through its HTTP API.
/// </summary>
public sealed class RealPrometheusScrapeTests : IDisposable
{
    private readonly string _temp = Path.Combine(Path.GetTempPath(), "kiln-prometheus-tests", Guid.NewGuid().ToString("N"));
    private readonly KilnAppFactory _factory = new();

    public RealPrometheusScrapeTests()
    {
        Directory.CreateDirectory(_temp);
        _factory.UseKestrel(0);
        _factory.StartServer();
    }

    [Fact]
    public async Task Prometheus_ScrapesKilnAndEvaluatesTheRules()
    {
        var prometheusPath = Promtool.Find("prometheus") ?? throw new InvalidOperationException(Promtool.Missing);
        var kiln = new Uri(_factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        await Requests.DeployGbtAsync(_factory);
        using var http = new HttpClient { BaseAddress = kiln };
        http.DefaultRequestHeaders.Authorization = new("Bearer", KilnAppFactory.AdminKey);
        const string Row = """{"inputs":[{"name":"float_input","shape":[1,7],"datatype":"FP32","data":[35,1500.5,15,240,2,-1,0]}]}""";
        for (var i = 0; i < 5; i++)
        {
            (await http.PostAsync("/v2/models/gbt/infer", Requests.Json(Row))).EnsureSuccessStatusCode();
        }

        var port = LocalHttpServer.FreePort();
        await File.WriteAllTextAsync(Path.Combine(_temp, "key"), KilnAppFactory.AdminKey);
        var config = Path.Combine(_temp, "prometheus.yml");
        await File.WriteAllTextAsync(config, $"""
            global:
              scrape_interval: 1s
              evaluation_interval: 1s
            rule_files:
              - {RepoRoot.Combine("deploy", "prometheus", "kiln-rules.yml")}
            scrape_configs:
              - job_name: kiln
                authorization:
                  type: Bearer
                  credentials_file: {Path.Combine(_temp, "key")}
                static_configs:
                  - targets: ["{kiln.Authority}"]
            """);
        var start = new ProcessStartInfo(prometheusPath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = _temp,
        };
        foreach (var argument in new[] { $"--config.file={config}", $"--storage.tsdb.path={Path.Combine(_temp, "data")}", $"--web.listen-address=127.0.0.1:{port}" })
        {
            start.ArgumentList.Add(argument);
        }

        using var prometheus = Process.Start(start)!;
        var log = prometheus.StandardError.ReadToEndAsync();
        _ = prometheus.StandardOutput.ReadToEndAsync();
        try
        {
            using var api = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            var up = await PollAsync(api, "/api/v1/query?query=" + Uri.EscapeDataString("up{job=\"kiln\"}"), r => Value(r) == 1);
            Assert.True(up, $"Prometheus never saw the Kiln target up.\n{await Targets(api)}");

            var counted = await PollAsync(api, "/api/v1/query?query=" + Uri.EscapeDataString("sum(kiln_inference_requests_total{deployment=\"gbt\",code=\"200\"})"), r => Value(r) == 5);
            Assert.True(counted, "Prometheus never read 5 successful requests for gbt.");

            var rulesOk = await PollAsync(api, "/api/v1/rules", RulesEvaluatedWithoutError);
            Assert.True(rulesOk, $"The rules did not all evaluate: {await api.GetStringAsync("/api/v1/rules")}");
        }
        finally
        {
            prometheus.Kill(entireProcessTree: true);
            await prometheus.WaitForExitAsync();
            _ = await log;
        }
    }

    public void Dispose()
    {
        _factory.Dispose();
        try
        {
            Directory.Delete(_temp, recursive: true);
        }
        catch (IOException)
        {
            // Prometheus may hold its data folder for a moment after exit.
        }
    }

    private static async Task<bool> PollAsync(HttpClient api, string path, Func<JsonElement, bool> done)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(45))
        {
            try
            {
                using var document = JsonDocument.Parse(await api.GetStringAsync(path));
                if (done(document.RootElement.GetProperty("data")))
                {
                    return true;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(250);
        }

        return false;
    }

    private static double? Value(JsonElement data) =>
        data.GetProperty("result") is { ValueKind: JsonValueKind.Array } result && result.GetArrayLength() == 1
            ? double.Parse(result[0].GetProperty("value")[1].GetString()!, CultureInfo.InvariantCulture)
            : null;

    private static bool RulesEvaluatedWithoutError(JsonElement data)
    {
        var rules = data.GetProperty("groups").EnumerateArray().SelectMany(g => g.GetProperty("rules").EnumerateArray()).ToList();
        Assert.DoesNotContain(rules, r => r.GetProperty("health").GetString() == "err");
        return rules.Count > 0 && rules.All(r => r.GetProperty("health").GetString() == "ok");
    }

    private static async Task<string> Targets(HttpClient api)
    {
        try
        {
            return await api.GetStringAsync("/api/v1/targets");
        }
        catch (HttpRequestException e)
        {
            return e.Message;
        }
    }
}
