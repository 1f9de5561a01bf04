using System.Net;
using Kiln.Client;
using Kiln.Core.Security;
using Kiln.Core.Tracking;
using Kiln.Server.Tests.Support;

namespace Kiln.Server.Tests;

public sealed class TrackingApiTests : IDisposable
{
    private readonly KilnAppFactory _factory = new();

    [Fact]
    public async Task Run_LogsParamsMetricSeriesTagsAndInputs()
    {
        using var client = _factory.CreateKilnClient();

        await using (var run = await client.StartRunAsync("bank", "lightgbm-1"))
        {
            await run.LogParamsAsync(new Dictionary<string, string> { ["algorithm"] = "lightgbm", ["leaves"] = "31" });
            await run.LogParamAsync("algorithm", "lightgbm");
            await run.LogMetricAsync("loss", 0.9, step: 0);
            await run.LogMetricAsync("loss", 0.5, step: 2);
            await run.LogMetricAsync("loss", 0.7, step: 1);
            await run.LogMetricsAsync(new Dictionary<string, double> { ["auc"] = 0.91 });
            await run.SetTagAsync("team", "risk");
            await run.SetTagAsync("team", "growth");
            await run.LogInputAsync(new DatasetInput("bank.csv", "abc123", "local", "/data/bank.csv", Context: "training"));
        }

        var experiment = await client.GetExperimentByNameAsync("bank");
        var stored = (await client.SearchRunsAsync(new RunQuery([experiment.Id]))).Runs.Single();
        Assert.Equal(RunStatus.Finished, stored.Status);
        Assert.NotNull(stored.EndTime);
        Assert.Equal("31", stored.Params["leaves"]);
        Assert.Equal(0.5, stored.Metrics["loss"]);
        Assert.Equal("growth", stored.Tags["team"]);
        Assert.Equal("abc123", Assert.Single(stored.Inputs).Digest);
        var history = await client.GetMetricHistoryAsync(stored.Id, "loss");
        Assert.Equal([0.9, 0.7, 0.5], history.Select(p => p.Value));
        Assert.Equal([0L, 1L, 2L], history.Select(p => p.Step));
    }

    [Fact]
    public async Task Param_ChangedValue_Is400WriteOnce()
    {
        using var client = _factory.CreateKilnClient();
        await using var run = await client.StartRunAsync("exp");
        await run.LogParamAsync("lr", "0.1");

        var error = await Assert.ThrowsAsync<KilnApiException>(() => run.LogParamAsync("lr", "0.2"));

        Assert.Equal(HttpStatusCode.BadRequest, error.Status);
        Assert.Equal("params.lr", error.Field);
        Assert.Contains("write-once", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Search_FiltersOrdersPagesAndFindsBest()
    {
        using var client = _factory.CreateKilnClient();
        double[] aucs = [0.71, 0.93, 0.85, 0.64, 0.88];
        for (var i = 0; i < aucs.Length; i++)
        {
            await using var run = await client.StartRunAsync("sweep", $"trial-{i}");
            await run.LogParamAsync("algorithm", i % 2 == 0 ? "fasttree" : "logreg");
            await run.LogMetricAsync("auc", aucs[i]);
        }

        var experiment = await client.GetExperimentByNameAsync("sweep");
        var first = await client.SearchRunsAsync(new RunQuery([experiment.Id], "metrics.auc > 0.7", ["metrics.auc DESC"], 2));
        var second = await client.SearchRunsAsync(new RunQuery([experiment.Id], "metrics.auc > 0.7", ["metrics.auc DESC"], 2, first.NextPageToken));
        var fasttree = await client.SearchRunsAsync(new RunQuery([experiment.Id], "params.algorithm = 'fasttree'"));
        var best = await client.BestRunAsync("sweep", "auc");
        var worst = await client.BestRunAsync("sweep", "auc", lowerIsBetter: true);

        Assert.Equal([0.93, 0.88], first.Runs.Select(r => r.Metrics["auc"]));
        Assert.Equal([0.85, 0.71], second.Runs.Select(r => r.Metrics["auc"]));
        Assert.Null(second.NextPageToken);
        Assert.Equal(3, fasttree.Runs.Count);
        Assert.Equal("trial-1", best!.Name);
        Assert.Equal("trial-3", worst!.Name);
    }

    [Theory]
    [InlineData("metrics.auc > 'x'", "filter")]
    [InlineData("colour = 'red'", "filter")]
    public async Task Search_BadFilter_Is400NamingIt(string filter, string field)
    {
        using var client = _factory.CreateKilnClient();

        var error = await Assert.ThrowsAsync<KilnApiException>(() => client.SearchRunsAsync(new RunQuery(Filter: filter)));

        Assert.Equal(HttpStatusCode.BadRequest, error.Status);
        Assert.Equal(field, error.Field);
    }

    [Fact]
    public async Task Artifacts_UploadListDownload_AndTraversalIsRefused()
    {
        using var client = _factory.CreateKilnClient();
        using var http = _factory.CreateHttpClient();
        var file = Path.Combine(_factory.DataDir, "notes.txt");
        Directory.CreateDirectory(_factory.DataDir);
        await File.WriteAllTextAsync(file, "hello artifacts");
        await using var run = await client.StartRunAsync("art");

        var stored = await run.LogArtifactAsync(file, "reports/notes.txt");
        using var traversal = await http.PutAsync($"/api/runs/{run.Id}/artifacts/..%5C..%5Cescape.txt", new ByteArrayContent([1, 2, 3]));

        Assert.Equal(15, stored.Size);
        Assert.Equal("reports/notes.txt", Assert.Single(await client.ListArtifactsAsync(run.Id)).Path);
        Assert.Equal("hello artifacts", System.Text.Encoding.UTF8.GetString(await client.DownloadArtifactAsync(run.Id, "reports/notes.txt")));
        Assert.Equal(HttpStatusCode.BadRequest, traversal.StatusCode);
    }

    [Theory]
    [InlineData("..%2fsecret")]
    [InlineData("%252e%252e/secret")]
    [InlineData("reports/%2e%2e%2f%2e%2e%2fsecret")]
    [InlineData("reports/%20/x")]
    public async Task Artifacts_EncodedTraversal_IsRefusedAsOnTheMlflowApi(string path)
    {
        using var client = _factory.CreateKilnClient();
        using var http = _factory.CreateHttpClient();
        await using var run = await client.StartRunAsync("encoded");

        using var response = await http.PutAsync($"/api/runs/{run.Id}/artifacts/{path}", new ByteArrayContent([1, 2, 3]));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Empty(await client.ListArtifactsAsync(run.Id));
    }

    [Fact]
    public async Task Tracking_UnknownRunOrExperiment_Is404_AndViewerCannotWrite()
    {
        using var admin = _factory.CreateKilnClient();
        var viewerKey = (await admin.CreateKeyAsync("viewer", KilnRole.Viewer)).Key;
        using var viewer = _factory.CreateKilnClient(viewerKey);

        Assert.Equal(HttpStatusCode.NotFound, (await Assert.ThrowsAsync<KilnApiException>(() => admin.GetRunAsync("0123456789abcdef0123456789abcdef"))).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await Assert.ThrowsAsync<KilnApiException>(() => admin.GetExperimentByNameAsync("nope"))).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await Assert.ThrowsAsync<KilnApiException>(() => viewer.StartRunAsync("x"))).Status);
        Assert.Empty(await viewer.ListExperimentsAsync());
    }

    [Fact]
    public async Task Experiment_DuplicateName_Is409()
    {
        using var client = _factory.CreateKilnClient();
        await client.CreateExperimentAsync("dup");

        Assert.Equal(HttpStatusCode.Conflict, (await Assert.ThrowsAsync<KilnApiException>(() => client.CreateExperimentAsync("dup"))).Status);
    }

    public void Dispose() => _factory.Dispose();
}
