using System.Net.Http.Headers;
using Kiln.Client;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;

namespace Kiln.Server.Tests.Support;

/// <summary>
/// A Kiln server in memory on a temporary SQLite file and artifact folder (or, when the suite runs on
/// PostgreSQL, a fresh database: see <see cref="TestBackend"/>). Auth is on, with a known bootstrap
/// admin key, unless the test turns it off.
/// </summary>
public sealed class KilnAppFactory : WebApplicationFactory<Program>
{
    public const string AdminKey = "kiln_test_admin_key_0123456789abcdef";

    private readonly bool _ownsDataDir;

    public KilnAppFactory(bool authEnabled = true, string? dataDir = null, IDictionary<string, string?>? settings = null)
    {
        _ownsDataDir = dataDir is null;
        DataDir = dataDir ?? Path.Combine(Path.GetTempPath(), "kiln-tests", Guid.NewGuid().ToString("N"));
        AuthEnabled = authEnabled;
        Settings = settings ?? new Dictionary<string, string?>();
        Database = TestBackend.IsPostgres ? TestBackend.DatabaseFor(DataDir) : null;
    }

    /// <summary>The PostgreSQL connection string of this server's database, or null on SQLite.</summary>
    public string? Database { get; }

    public string DataDir { get; }

    public bool AuthEnabled { get; }

    private IDictionary<string, string?> Settings { get; }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.ConfigureAppConfiguration(configuration =>
        {
            var settings = new Dictionary<string, string?>
            {
                ["Kiln:Storage:DataDir"] = DataDir,
                ["Kiln:Auth:Enabled"] = AuthEnabled ? "true" : "false",
                ["Kiln:Auth:AdminKey"] = AdminKey,
                ["Kiln:Storage:Database"] = Database,

                // In memory every request comes from the same (absent) address, so the per-address limit would throttle
                // whole test classes; RateLimitTests turn it back on.
                ["Kiln:RateLimits:Anonymous:PerSecond"] = "0",
            };
            // The PostgreSQL pass keeps artifacts on S3, unless the test sets where artifacts go itself.
            if (Database is not null && !Settings.Keys.Any(k => k.StartsWith("Kiln:Storage:Artifacts", StringComparison.OrdinalIgnoreCase) || k.StartsWith("Kiln:Storage:S3", StringComparison.OrdinalIgnoreCase)))
            {
                foreach (var (key, value) in TestBackend.ArtifactsFor(DataDir))
                {
                    settings[key] = value;
                }
            }

            foreach (var (key, value) in Settings)
            {
                settings[key] = value;
            }

            configuration.AddInMemoryCollection(settings);
        });
    }

    /// <summary>An HTTP client sending <paramref name="apiKey"/> (the admin key by default; null sends none).</summary>
    public HttpClient CreateHttpClient(string? apiKey = AdminKey)
    {
        var client = CreateClient();
        if (apiKey is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        }

        return client;
    }

    public KilnClient CreateKilnClient(string? apiKey = AdminKey) => new(CreateClient(), apiKey);

    /// <summary>Waits until the server reports every deployment warm (restoration runs in the background).</summary>
    public async Task WaitUntilReadyAsync(TimeSpan? timeout = null)
    {
        using var http = CreateHttpClient(null);
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (DateTime.UtcNow < deadline)
        {
            using var response = await http.GetAsync("/health/ready");
            if (response.IsSuccessStatusCode)
            {
                return;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException("The server did not become ready.");
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing && _ownsDataDir && Database is not null)
        {
            TestBackend.Drop(Database);
        }

        if (disposing && _ownsDataDir && Directory.Exists(DataDir))
        {
            try
            {
                Directory.Delete(DataDir, recursive: true);
            }
            catch (IOException)
            {
                // SQLite may still hold the file for a moment; temp space is reclaimed by the OS.
            }
        }
    }
}
