using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Kiln.Client;
using Kiln.Inference.Serving;
using Kiln.Server.Tests.Support;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Kiln.Server.Tests.Rollouts;

/// <summary>
/// A server for rollout tests: gbt_sklearn.onnx registered several times (identical versions 1..n of one
/// model), optionally on a <see cref="FakeTimeProvider"/>, with a counter of model loads.
/// </summary>
public sealed class RolloutServer : IDisposable
{
    public const string Model = "gbt";

    /// <summary>The admin test key's name, as recorded in revision history.</summary>
    public const string AdminActor = "bootstrap-admin (KILN_ADMIN_KEY)";

    private readonly KilnAppFactory _factory = new();

    public RolloutServer(bool fakeTime = false)
    {
        Time = fakeTime ? new FakeTimeProvider(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero)) : null;
        Server = _factory.WithWebHostBuilder(builder => builder.ConfigureTestServices(services =>
        {
            if (Time is not null)
            {
                services.AddSingleton<TimeProvider>(Time);
            }

            services.AddSingleton<IDeploymentObserver>(Loads);
        }));
    }

    public WebApplicationFactory<Program> Server { get; }

    public FakeTimeProvider? Time { get; }

    public LoadCounter Loads { get; } = new();

    public T Service<T>()
        where T : notnull => Server.Services.GetRequiredService<T>();

    public HttpClient Http()
    {
        var http = Server.CreateClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", KilnAppFactory.AdminKey);
        return http;
    }

    /// <summary>Registers gbt <paramref name="versions"/> times and deploys version 1 as <paramref name="deployment"/>.</summary>
    public async Task DeployAsync(string deployment, int versions)
    {
        using var client = new KilnClient(Http(), KilnAppFactory.AdminKey);
        for (var i = 0; i < versions; i++)
        {
            await client.RegisterAsync(Model, TestModels.PathOf("gbt_sklearn.onnx"), new RegisterOptions { FeatureNames = TestModels.GbtFeatureNames });
        }

        using var http = Http();
        await SendAsync(http, HttpMethod.Put, $"/api/deployments/{deployment}", new { model = $"{Model}/1" });
    }

    /// <summary>Sends a JSON request to Kiln's API, fails the test on a non-2xx answer, and returns the body.</summary>
    public static async Task<JsonElement> SendAsync(HttpClient http, HttpMethod method, string path, object? body = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{method} {path}: {(int)response.StatusCode} {text}");
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>One v1 prediction; returns the status and the <c>Kiln-Model-Version</c> header ("" when absent).</summary>
    public static async Task<(int Status, string Version)> PredictAsync(HttpClient http, string deployment, string? routingKey = null, int age = 41, string? path = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path ?? $"/v1/models/{deployment}:predict")
        {
            Content = Requests.Json($$"""{"instances":[{"age":{{age}},"balance":1200,"day":5,"duration":300,"campaign":2,"pdays":-1,"previous":0}]}"""),
        };
        if (routingKey is not null)
        {
            request.Headers.Add("Kiln-Routing-Key", routingKey);
        }

        using var response = await http.SendAsync(request);
        var version = response.Headers.TryGetValues("Kiln-Model-Version", out var values) ? values.Single() : "";
        return ((int)response.StatusCode, version);
    }

    /// <summary>Sends <paramref name="count"/> predictions over a few concurrent clients; fails on any non-200; returns the count per version.</summary>
    public async Task<Dictionary<string, int>> LoadAsync(string deployment, int count, int clients = 4)
    {
        var counts = new Dictionary<string, int>();
        var tasks = Enumerable.Range(0, clients).Select(c => Task.Run(async () =>
        {
            using var http = Http();
            var seen = new List<string>();
            for (var i = c; i < count; i += clients)
            {
                var (status, version) = await PredictAsync(http, deployment);
                Assert.Equal(200, status);
                seen.Add(version);
            }

            return seen;
        })).ToArray();
        foreach (var version in (await Task.WhenAll(tasks)).SelectMany(v => v))
        {
            counts[version] = counts.GetValueOrDefault(version) + 1;
        }

        return counts;
    }

    public void Dispose()
    {
        Server.Dispose();
        _factory.Dispose();
    }

    /// <summary>Counts model loads, so a test can tell an instant flip (warm model reused) from a reload.</summary>
    public sealed class LoadCounter : IDeploymentObserver
    {
        private int _loads;

        public int Loads => Volatile.Read(ref _loads);

        public void ModelLoaded(string deployment, string model, int version, double seconds) => Interlocked.Increment(ref _loads);

        public void ModelLoadFailed(string deployment, string model, int version)
        {
        }

        public void DeploymentDeleted(string deployment)
        {
        }
    }
}
