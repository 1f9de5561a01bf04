using System.Net;
using System.Security.Cryptography;
using Amazon.S3;
using Amazon.S3.Model;
using Kiln.Server.Tests.Mlflow;
using Kiln.Server.Tests.Support;
using Kiln.Storage.Tests.Support;

namespace Kiln.Server.Tests.Storage;

/// <summary>The server with <c>Kiln:Storage:Artifacts=s3://…</c> against the test S3 server; a bucket per test.</summary>
public sealed class S3ArtifactStorageTests : IAsyncLifetime
{
    private const string Prefix = "kiln/artifacts";

    private readonly string _bucket = "kiln-server-" + Guid.NewGuid().ToString("N")[..16];
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "kiln-tests", Guid.NewGuid().ToString("N"));
    private AmazonS3Client? _s3;

    [S3Fact]
    public async Task PackageUploadDeployAndMlflowProxy_KeepArtifactsInTheBucket()
    {
        using var factory = new KilnAppFactory(dataDir: _dataDir, settings: S3TestServer.Settings(_bucket, Prefix));
        await Requests.DeployGbtAsync(factory);
        using var http = factory.CreateHttpClient();
        using var mlflow = new MlflowApi(factory.CreateHttpClient());
        var experimentId = await mlflow.CreateExperimentAsync("s3");
        var runId = (await mlflow.CreateRunAsync(experimentId)).GetProperty("info").GetProperty("run_id").GetString()!;
        var root = $"/api/2.0/mlflow-artifacts/artifacts/{experimentId}/{runId}/artifacts";
        var small = "flavors: {}"u8.ToArray();
        var large = RandomNumberGenerator.GetBytes(12 * 1024 * 1024); // more than one 8 MiB part: a multipart upload

        var expected = TestModels.Case("gbt_sklearn");
        using var scored = await http.PostJsonAsync("/v2/models/gbt/infer", Requests.GbtV2Request(expected.GetProperty("inputs").GetProperty("float_input")));
        await mlflow.UploadArtifactAsync($"{experimentId}/{runId}/artifacts/model/MLmodel", small);
        await mlflow.UploadArtifactAsync($"{experimentId}/{runId}/artifacts/model/weights.bin", large);
        var smallBack = await mlflow.Http.GetByteArrayAsync($"{root}/model/MLmodel");
        var largeBack = await mlflow.Http.GetByteArrayAsync($"{root}/model/weights.bin");
        using var missing = await mlflow.Http.GetAsync($"{root}/model/none.bin");

        Assert.Equal(HttpStatusCode.OK, scored.StatusCode);
        Assert.Equal(small, smallBack);
        Assert.Equal(large, largeBack);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        var keys = await KeysAsync();
        Assert.Contains(KeyOf(small), keys);
        Assert.Contains(KeyOf(large), keys);
        Assert.All(keys, key => Assert.StartsWith($"{Prefix}/sha256/", key, StringComparison.Ordinal));
        Assert.True(keys.Count >= 3, "the model package's files are in the bucket too");
        Assert.False(Directory.Exists(Path.Combine(_dataDir, "artifacts")), "nothing is stored in the local artifact folder");
    }

    [S3Fact]
    public async Task Restart_RestoresTheDeploymentFromTheBucket()
    {
        var settings = S3TestServer.Settings(_bucket, Prefix);
        using (var first = new KilnAppFactory(dataDir: _dataDir, settings: settings))
        {
            await Requests.DeployGbtAsync(first, deployment: "bank");
        }

        using var second = new KilnAppFactory(dataDir: _dataDir, settings: settings);
        await second.WaitUntilReadyAsync();
        using var http = second.CreateHttpClient();
        using var response = await http.PostAsync("/v1/models/bank:predict", Requests.Json("""{"instances":[[35,1500.5,15,240,2,-1,0]]}"""));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    public async Task InitializeAsync()
    {
        if (S3TestServer.Endpoint is not null)
        {
            _s3 = S3TestServer.CreateClient();
            await _s3.PutBucketAsync(_bucket);
        }
    }

    public async Task DisposeAsync()
    {
        try
        {
            if (_s3 is not null)
            {
                foreach (var key in await KeysAsync())
                {
                    await _s3.DeleteObjectAsync(_bucket, key);
                }

                await _s3.DeleteBucketAsync(_bucket);
            }
        }
        finally
        {
            _s3?.Dispose();
            try
            {
                Directory.Delete(_dataDir, recursive: true);
            }
            catch (DirectoryNotFoundException)
            {
            }
            catch (IOException)
            {
                // SQLite may still hold the file for a moment; temp space is reclaimed by the OS.
            }
        }
    }

    private static string KeyOf(byte[] content)
    {
        var sha = Convert.ToHexStringLower(SHA256.HashData(content));
        return $"{Prefix}/sha256/{sha[..2]}/{sha}";
    }

    private async Task<List<string>> KeysAsync()
    {
        var response = await _s3!.ListObjectsV2Async(new ListObjectsV2Request { BucketName = _bucket });
        return (response.S3Objects ?? []).Select(o => o.Key).ToList();
    }
}
