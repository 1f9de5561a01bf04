using System.Net;
using System.Text;
using Kiln.Storage.Tests.Support;

namespace Kiln.EndToEnd.Tests;

/// <summary>
/// <c>kiln serve --artifacts s3://…</c> against the test S3 server (<c>KILN_TEST_S3</c>, s3rver), reached
/// through the standard AWS variables only: register, deploy and predict with the real program.
/// </summary>
public sealed class ServeWithS3ArtifactsTests : IDisposable
{
    private const string AdminKey = "kiln_e2e_admin_key_0123456789abcdef";
    private static readonly string Models = Path.Combine(AppContext.BaseDirectory, "models");
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "kiln-e2e", Guid.NewGuid().ToString("N"));
    private readonly string _bucket = "kiln-e2e-" + Guid.NewGuid().ToString("N")[..16];
    private readonly HttpClient _s3 = new();

    [S3Fact]
    public async Task Serve_WithArtifactsFlag_StoresPackagesInTheBucketAndServes()
    {
        var endpoint = TestServers.S3!.TrimEnd('/');
        // s3rver accepts unsigned bucket requests; the server under test signs with the AWS variables.
        (await _s3.PutAsync($"{endpoint}/{_bucket}", null)).EnsureSuccessStatusCode();
        var environment = new Dictionary<string, string>
        {
            ["KILN_ADMIN_KEY"] = AdminKey,
            ["KILN_API_KEY"] = AdminKey,
            ["AWS_ENDPOINT_URL_S3"] = endpoint,
            ["AWS_ACCESS_KEY_ID"] = "S3RVER",
            ["AWS_SECRET_ACCESS_KEY"] = "S3RVER",
            ["KILN_Storage__S3__ForcePathStyle"] = "true",
        };
        var url = KilnProcess.FreeUrl();

        await using var server = await KilnProcess.StartUntilAsync(url, "Now listening on", TimeSpan.FromMinutes(1), environment,
            "serve", "--urls", url.ToString().TrimEnd('/'), "--data-dir", _dataDir, "--artifacts", $"s3://{_bucket}/e2e");
        environment["KILN_SERVER"] = url.ToString();
        var register = await KilnProcess.RunAsync(environment, "models", "register", "bank", Path.Combine(Models, "mlflow_colspec"));
        var deploy = await KilnProcess.RunAsync(environment, "deploy", "bank", "--model", "bank/1");
        using var http = new HttpClient { BaseAddress = url };
        http.DefaultRequestHeaders.Authorization = new("Bearer", AdminKey);
        using var predicted = await http.PostAsync("v1/models/bank:predict", new StringContent(
            """{"instances":[{"age":35,"balance":1500.5,"day":15,"duration":240,"campaign":2,"pdays":-1,"previous":0}]}""", Encoding.UTF8, "application/json"));
        var listing = await _s3.GetStringAsync($"{endpoint}/{_bucket}?list-type=2&prefix=e2e/sha256/");

        Assert.True(register.ExitCode == 0, register.Stderr);
        Assert.True(deploy.ExitCode == 0, deploy.Stderr);
        Assert.Equal(HttpStatusCode.OK, predicted.StatusCode);
        Assert.Contains($"Artifacts on S3 at s3://{_bucket}/e2e via {endpoint}", server.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("S3RVER", server.Output, StringComparison.Ordinal);
        Assert.Contains("<Key>e2e/sha256/", listing, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_dataDir, "artifacts")));
    }

    // IDisposable, not IAsyncDisposable: xunit v2 never calls DisposeAsync on a test class.
    public void Dispose()
    {
        _s3.Dispose();
        try
        {
            Directory.Delete(_dataDir, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }
}
