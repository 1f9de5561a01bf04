using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Kiln.Storage.Tests.Support;

namespace Kiln.EndToEnd.Tests;

/// <summary>
/// Three real <c>kiln serve</c> processes on one PostgreSQL database behind a real nginx, under continuous
/// load through nginx: a model registered through replica A, deployed through B, canaried and promoted by
/// whichever replica holds the lease, rolled back through C; then the lease holder is killed (SIGKILL) and
/// another replica takes the canary analysis over. No request through nginx may fail.
/// </summary>
public sealed class ReplicasBehindNginxTests : IAsyncLifetime
{
    private const string AdminKey = "kiln_e2e_admin_key_0123456789abcdef";
    private const string Body = """{"instances":[{"age":41,"balance":1200,"day":5,"duration":300,"campaign":2,"pdays":-1,"previous":0}]}""";
    private static readonly TimeSpan Propagation = TimeSpan.FromSeconds(2);
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "kiln-e2e", Guid.NewGuid().ToString("N"));
    private readonly List<KilnProcess> _replicas = [];
    private readonly ConcurrentQueue<(TimeSpan At, int Status, string Version)> _responses = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private string? _database;
    private NginxProcess? _nginx;

    [PostgresFact]
    public async Task Replicas_RegisterDeployCanaryRollbackAndKillTheLeaseHolder_NoRequestFails()
    {
        Assert.True(NginxProcess.Binary is not null || !TestServers.InCi, "nginx is not installed (./test.sh installs it)");
        if (NginxProcess.Binary is null)
        {
            Console.WriteLine("SKIPPED: nginx is not installed; run ./test.sh, which installs it.");
            return;
        }

        _database = PostgresDatabases.Create();
        var a = await StartReplicaAsync("a");
        var b = await StartReplicaAsync("b");
        var c = await StartReplicaAsync("c");
        _nginx = await NginxProcess.StartAsync([a.Url, b.Url, c.Url]);

        // Registered through A, deployed through B: every replica serves it.
        var model = Path.Combine(AppContext.BaseDirectory, "models", "gbt_sklearn.onnx");
        await CliAsync(a, "models", "register", "gbt", model, "--feature-names", "age,balance,day,duration,campaign,pdays,previous");
        await CliAsync(a, "models", "register", "gbt", model, "--feature-names", "age,balance,day,duration,campaign,pdays,previous");
        await CliAsync(b, "deploy", "bank", "--model", "gbt/1");
        foreach (var replica in _replicas)
        {
            await WaitUntilServedAsync(replica.Url, "1");
        }

        using var load = new CancellationTokenSource();
        var clients = Enumerable.Range(0, 4).Select(_ => Task.Run(() => LoadAsync(_nginx.Url, load.Token))).ToArray();
        try
        {
            // A canary started through C is judged and promoted by the lease holder, wherever it is.
            var canaryStarted = _clock.Elapsed;
            await CliAsync(c, "canary", "start", "bank", "--policy", await CanaryPolicyAsync());
            var promoted = await WaitForChangeAsync(a.Url, "canary_promote", TimeSpan.FromSeconds(120));
            Assert.Equal("kiln-canary-analysis", promoted.GetProperty("actor").GetString());
            await Task.Delay(Propagation);
            var servedV2From = _clock.Elapsed;
            await Task.Delay(TimeSpan.FromSeconds(1));

            // Rolled back through C to the first revision: every replica serves version 1 again.
            using (var http = Client(c.Url))
            {
                using var rollback = await http.PostAsJsonAsync("/api/deployments/bank/rollback", new { toRevision = 1 });
                Assert.True(rollback.IsSuccessStatusCode, await rollback.Content.ReadAsStringAsync());
            }

            await Task.Delay(Propagation);
            var servedV1From = _clock.Elapsed;
            await Task.Delay(TimeSpan.FromSeconds(1));

            // The lease holder dies; within 30 s another replica holds the lease and judges the next canary.
            var lastBeforeKill = await LatestRevisionAsync(a.Url);
            var holder = (await LeaseHolderAsync())!;
            await holder.KillAsync();
            var killed = _clock.Elapsed;
            var survivor = _replicas.First(r => r != holder);
            await CliAsync(survivor, "canary", "start", "bank", "--policy", await CanaryPolicyAsync());
            var stopwatch = Stopwatch.StartNew();
            KilnProcess? successor = null;
            while (successor is null)
            {
                Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(30), "no surviving replica took the singleton-jobs lease within 30 s");
                await Task.Delay(250);
                successor = await LeaseHolderAsync(required: false);
            }

            Assert.NotEqual(holder, successor);
            var judged = await WaitForChangeAsync(survivor.Url, "canary_promote", TimeSpan.FromSeconds(60), after: lastBeforeKill);
            Assert.Equal("kiln-canary-analysis", judged.GetProperty("actor").GetString());

            await load.CancelAsync();
            await Task.WhenAll(clients);
            var responses = _responses.ToArray();
            Assert.True(responses.Length > 200, $"only {responses.Length} requests were sent");
            var failed = responses.Where(r => r.Status != 200).ToArray();
            Assert.True(failed.Length == 0, $"{failed.Length} of {responses.Length} requests through nginx failed, e.g. {string.Join(", ", failed.Take(5).Select(f => $"{f.Status} at {f.At.TotalSeconds:0.0}s"))}");
            Assert.All(responses, r => Assert.Contains(r.Version, new[] { "1", "2" }));
            Assert.DoesNotContain(responses, r => r.At < canaryStarted && r.Version != "1");
            Assert.Contains(responses, r => r.At > canaryStarted && r.Version == "2");
            Assert.All(responses.Where(r => r.At > servedV2From && r.At < servedV2From + TimeSpan.FromSeconds(1)), r => Assert.Equal("2", r.Version));
            Assert.All(responses.Where(r => r.At > servedV1From && r.At < killed), r => Assert.Equal("1", r.Version));
        }
        finally
        {
            await load.CancelAsync();
        }
    }

    public Task InitializeAsync() => Task.CompletedTask;

    // IAsyncLifetime, not IAsyncDisposable: xunit v2 never calls IAsyncDisposable.DisposeAsync on a test class, so the
    // replicas and nginx outlived every run.
    public async Task DisposeAsync()
    {
        if (_nginx is not null)
        {
            await _nginx.DisposeAsync();
        }

        foreach (var replica in _replicas)
        {
            await replica.DisposeAsync();
        }

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

    // Replicas share the artifact folder: they run on one machine (on several, use --artifacts s3://…).
    private async Task<KilnProcess> StartReplicaAsync(string name)
    {
        var replica = await KilnProcess.StartServerAsync(_dataDir, new Dictionary<string, string>
        {
            ["KILN_ADMIN_KEY"] = AdminKey,
            ["KILN_DATABASE"] = _database!,
            ["KILN_REPLICA"] = name,
        });
        _replicas.Add(replica);
        return replica;
    }

    // Short steps; latency and quality are not what this test is about (a loaded 2-core machine is noisy), so they cannot roll it back.
    private async Task<string> CanaryPolicyAsync()
    {
        Directory.CreateDirectory(_dataDir);
        var path = Path.Combine(_dataDir, "canary.json");
        await File.WriteAllTextAsync(path, """
            {"model": "gbt/2", "steps": [50, 100], "interval": "5s", "minRequests": 20, "maxLatencyRatio": 1000, "qualityMetric": "none"}
            """);
        return path;
    }

    private static async Task CliAsync(KilnProcess server, params string[] args)
    {
        var (exitCode, stdout, stderr) = await KilnProcess.RunAsync(
            new Dictionary<string, string> { ["KILN_SERVER"] = server.Url.ToString(), ["KILN_API_KEY"] = AdminKey }, args);
        Assert.True(exitCode == 0, $"kiln {string.Join(' ', args)} exited with {exitCode}: {stdout} {stderr}");
    }

    private static HttpClient Client(Uri url)
    {
        var http = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
        return http;
    }

    private async Task LoadAsync(Uri url, CancellationToken stop)
    {
        using var http = Client(url);
        while (!stop.IsCancellationRequested)
        {
            var at = _clock.Elapsed;
            try
            {
                using var response = await http.PostAsync("/v1/models/bank:predict", new StringContent(Body, Encoding.UTF8, "application/json"), CancellationToken.None);
                var version = response.Headers.TryGetValues("Kiln-Model-Version", out var values) ? values.Single() : "";
                _responses.Enqueue((at, (int)response.StatusCode, version));
            }
            catch (HttpRequestException)
            {
                _responses.Enqueue((at, 0, ""));
            }
        }
    }

    private static async Task WaitUntilServedAsync(Uri replica, string version)
    {
        using var http = Client(replica);
        var stopwatch = Stopwatch.StartNew();
        while (true)
        {
            using var response = await http.PostAsync("/v1/models/bank:predict", new StringContent(Body, Encoding.UTF8, "application/json"));
            if (response.IsSuccessStatusCode && response.Headers.GetValues("Kiln-Model-Version").Single() == version)
            {
                return;
            }

            Assert.True(stopwatch.Elapsed < Propagation, $"{replica} did not serve version {version} within 2 s of the change");
            await Task.Delay(20);
        }
    }

    private static async Task<JsonElement> WaitForChangeAsync(Uri replica, string change, TimeSpan timeout, int after = 0)
    {
        using var http = Client(replica);
        var stopwatch = Stopwatch.StartNew();
        while (stopwatch.Elapsed < timeout)
        {
            using var history = JsonDocument.Parse(await http.GetStringAsync("/api/deployments/bank/history"));
            foreach (var revision in history.RootElement.EnumerateArray())
            {
                if (revision.GetProperty("change").GetString() == change && revision.GetProperty("number").GetInt32() > after)
                {
                    return revision.Clone();
                }
            }

            await Task.Delay(500);
        }

        var canary = await http.GetAsync("/api/deployments/bank/canary");
        throw new TimeoutException($"no '{change}' revision within {timeout}; history: {await http.GetStringAsync("/api/deployments/bank/history")}; canary: {await canary.Content.ReadAsStringAsync()}");
    }

    private static async Task<int> LatestRevisionAsync(Uri replica)
    {
        using var http = Client(replica);
        using var history = JsonDocument.Parse(await http.GetStringAsync("/api/deployments/bank/history"));
        return history.RootElement[0].GetProperty("number").GetInt32();
    }

    private async Task<KilnProcess?> LeaseHolderAsync(bool required = true)
    {
        foreach (var replica in _replicas)
        {
            try
            {
                using var http = Client(replica.Url);
                using var health = JsonDocument.Parse(await http.GetStringAsync("/health/live"));
                if (health.RootElement.GetProperty("singletonJobs").GetBoolean())
                {
                    return replica;
                }
            }
            catch (HttpRequestException)
            {
                // A killed replica.
            }
        }

        return required ? throw new InvalidOperationException("no replica holds the singleton-jobs lease") : null;
    }
}
