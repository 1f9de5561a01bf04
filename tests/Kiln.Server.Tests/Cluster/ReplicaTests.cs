using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Kiln.Client;
using Kiln.Core.Security;
using Kiln.Server.Tests.Rollouts;
using Kiln.Server.Tests.Support;
using Kiln.Storage.Tests.Support;

namespace Kiln.Server.Tests.Cluster;

/// <summary>
/// Two Kiln servers in this process on one real PostgreSQL database and one artifact folder, as two
/// replicas behind a load balancer would be: what is changed through one is served by the other.
/// </summary>
public sealed class ReplicaTests : IDisposable
{
    private static readonly TimeSpan Propagation = TimeSpan.FromSeconds(2);
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "kiln-tests", Guid.NewGuid().ToString("N"));
    private readonly string? _database;
    private readonly List<KilnAppFactory> _replicas = [];

    public ReplicaTests()
    {
        if (TestServers.Postgres is not null)
        {
            _database = TestBackend.DatabaseFor(Guid.NewGuid().ToString("N"));
        }
    }

    [PostgresFact]
    public async Task Deploy_ThroughOneReplica_IsServedByTheOtherWithinTwoSeconds()
    {
        var (a, b) = (Replica("a"), Replica("b"));
        using var http = b.CreateHttpClient();
        await RegisterAsync(a, versions: 2);

        await RolloutServer.SendAsync(a.CreateHttpClient(), HttpMethod.Put, "/api/deployments/bank", new { model = "gbt/1" });
        Assert.Equal("1", await WaitForVersionAsync(http, "bank", "1"));

        await RolloutServer.SendAsync(a.CreateHttpClient(), HttpMethod.Put, "/api/deployments/bank", new { model = "gbt/2" });
        Assert.Equal("2", await WaitForVersionAsync(http, "bank", "2"));

        await RolloutServer.SendAsync(a.CreateHttpClient(), HttpMethod.Delete, "/api/deployments/bank");
        var stopwatch = Stopwatch.StartNew();
        while ((await RolloutServer.PredictAsync(http, "bank")).Status != 404)
        {
            Assert.True(stopwatch.Elapsed < Propagation, "the deletion did not reach the other replica within 2 s");
            await Task.Delay(20);
        }
    }

    [PostgresFact]
    public async Task Revoke_ThroughOneReplica_IsRefusedByTheOtherWithinTwoSeconds()
    {
        var (a, b) = (Replica("a"), Replica("b"));
        using var admin = a.CreateKilnClient();
        var created = await admin.CreateKeyAsync("revoke-everywhere", KilnRole.Viewer);
        using var viewerOnB = b.CreateKilnClient(created.Key);
        Assert.NotNull(await viewerOnB.ListModelsAsync()); // now cached by b

        await admin.RevokeKeyAsync(created.Info.Id);

        var stopwatch = Stopwatch.StartNew();
        while (true)
        {
            var refused = await Assert.ThrowsAnyAsync<Exception>(() => viewerOnB.ListModelsAsync()).ContinueWith(t => t.IsCompletedSuccessfully ? t.Result : null);
            if (refused is KilnApiException { Status: HttpStatusCode.Unauthorized })
            {
                break;
            }

            Assert.True(stopwatch.Elapsed < Propagation, "the revoked key was still accepted by the other replica after 2 s");
            await Task.Delay(20);
        }
    }

    [PostgresFact]
    public async Task Traffic_ServedByEachReplica_IsCountedByBoth()
    {
        var (a, b) = (Replica("a"), Replica("b"));
        await RegisterAsync(a, versions: 1);
        await RolloutServer.SendAsync(a.CreateHttpClient(), HttpMethod.Put, "/api/deployments/bank", new { model = "gbt/1" });
        using var viaA = a.CreateHttpClient();
        using var viaB = b.CreateHttpClient();
        await WaitForVersionAsync(viaB, "bank", "1");
        for (var i = 0; i < 30; i++)
        {
            Assert.Equal(200, (await RolloutServer.PredictAsync(viaA, "bank")).Status);
        }

        for (var i = 0; i < 20; i++)
        {
            Assert.Equal(200, (await RolloutServer.PredictAsync(viaB, "bank")).Status);
        }

        // Both replicas see all 50 (plus b's propagation probes): what canary analysis and alerts decide on.
        var stopwatch = Stopwatch.StartNew();
        while (true)
        {
            var seenByA = await RequestsAsync(viaA);
            var seenByB = await RequestsAsync(viaB);
            if (seenByA >= 51 && seenByA == seenByB)
            {
                break;
            }

            Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(10), $"replica a counts {seenByA} requests, b counts {seenByB}; both should count all of them");
            await Task.Delay(200);
        }
    }

    [PostgresFact]
    public async Task Lease_OneReplicaRunsTheSingletonJobs_AndAnotherTakesOverWhenItStops()
    {
        var a = Replica("a");
        var b = Replica("b");
        Assert.True(await SingletonJobsAsync(a));
        Assert.False(await SingletonJobsAsync(b));

        a.Dispose(); // a graceful stop hands the lease back; a killed holder's lease lapses (LeaseDuration)

        var stopwatch = Stopwatch.StartNew();
        while (!await SingletonJobsAsync(b))
        {
            Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(10), "no replica took the singleton jobs over");
            await Task.Delay(50);
        }
    }

    public void Dispose()
    {
        foreach (var replica in _replicas)
        {
            replica.Dispose();
        }

        if (_database is not null)
        {
            TestBackend.Drop(_database);
        }

        if (Directory.Exists(_dataDir))
        {
            Directory.Delete(_dataDir, recursive: true);
        }
    }

    private KilnAppFactory Replica(string name)
    {
        var replica = new KilnAppFactory(dataDir: _dataDir, settings: new Dictionary<string, string?>
        {
            ["Kiln:Storage:Database"] = _database,
            ["Kiln:Replica"] = name,
            ["Kiln:Cluster:LeaseRenewInterval"] = "00:00:00.200",
            ["Kiln:Cluster:LeaseDuration"] = "00:00:01",
        });
        _replicas.Add(replica);
        replica.CreateClient().Dispose(); // start it now: the first replica to start takes the lease
        return replica;
    }

    private static async Task RegisterAsync(KilnAppFactory replica, int versions)
    {
        using var client = replica.CreateKilnClient();
        for (var i = 0; i < versions; i++)
        {
            await client.RegisterAsync("gbt", TestModels.PathOf("gbt_sklearn.onnx"), new RegisterOptions { FeatureNames = TestModels.GbtFeatureNames });
        }
    }

    private static async Task<string> WaitForVersionAsync(HttpClient http, string deployment, string version)
    {
        var stopwatch = Stopwatch.StartNew();
        while (true)
        {
            var (status, served) = await RolloutServer.PredictAsync(http, deployment);
            if (status == 200 && served == version)
            {
                return served;
            }

            Assert.True(stopwatch.Elapsed < Propagation, $"the other replica still served {status} version '{served}' 2 s after the change to {version}");
            await Task.Delay(20);
        }
    }

    private static async Task<long> RequestsAsync(HttpClient http)
    {
        var view = await RolloutServer.SendAsync(http, HttpMethod.Get, "/api/deployments/bank");
        return view.GetProperty("traffic").EnumerateArray().Sum(t => t.GetProperty("requests").GetInt64());
    }

    private static async Task<bool> SingletonJobsAsync(KilnAppFactory replica)
    {
        using var http = replica.CreateHttpClient(null);
        using var health = JsonDocument.Parse(await http.GetStringAsync("/health/live"));
        return health.RootElement.GetProperty("singletonJobs").GetBoolean();
    }
}
