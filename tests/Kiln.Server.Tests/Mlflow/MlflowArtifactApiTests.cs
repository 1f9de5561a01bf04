using System.Net;
using System.Text;
using System.Text.Json;

namespace Kiln.Server.Tests.Mlflow;

public sealed class MlflowArtifactApiTests : MlflowTestBase
{
    [Fact]
    public async Task ProxiedUpload_IsARunArtifact_ListedAndDownloadedBothWays()
    {
        var (experimentId, runId) = await NewRunAsync();
        var root = $"{experimentId}/{runId}/artifacts";

        await Api.UploadArtifactAsync($"{root}/model/MLmodel", Encoding.UTF8.GetBytes("flavors: {}"));
        await Api.UploadArtifactAsync($"{root}/model/sub/model.onnx", [1, 2, 3]);
        await Api.UploadArtifactAsync($"{root}/notes.txt", Encoding.UTF8.GetBytes("hello"));

        var rootList = await Api.GetAsync($"artifacts/list?run_id={runId}");
        var modelList = await Api.GetAsync($"artifacts/list?run_id={runId}&path=model");
        var proxiedList = await Api.Http.GetAsync($"/api/2.0/mlflow-artifacts/artifacts?path={root}/model");
        var download = await Api.Http.GetByteArrayAsync($"/api/2.0/mlflow-artifacts/artifacts/{root}/model/sub/model.onnx");
        var kilnView = await Factory.CreateKilnClient().ListArtifactsAsync(runId);

        Assert.Equal($"mlflow-artifacts:/{experimentId}/{runId}/artifacts", rootList.GetProperty("root_uri").GetString());
        var files = rootList.GetProperty("files").EnumerateArray().ToArray();
        Assert.Equal(["model", "notes.txt"], files.Select(f => f.GetProperty("path").GetString()));
        MlflowApi.AssertFields(rootList, "root_uri", "files");
        MlflowApi.AssertFields(files[1], "path", "is_dir", "file_size");
        Assert.True(files[0].GetProperty("is_dir").GetBoolean());
        Assert.False(files[0].TryGetProperty("file_size", out _));
        Assert.False(files[1].GetProperty("is_dir").GetBoolean());
        Assert.Equal(5, files[1].GetProperty("file_size").GetInt64());
        Assert.Equal(["model/MLmodel", "model/sub"], modelList.GetProperty("files").EnumerateArray().Select(f => f.GetProperty("path").GetString()));
        Assert.Equal(HttpStatusCode.OK, proxiedList.StatusCode);
        var proxied = JsonDocument.Parse(await proxiedList.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(["MLmodel", "sub"], proxied.GetProperty("files").EnumerateArray().Select(f => f.GetProperty("path").GetString()));
        Assert.Equal([1, 2, 3], download);
        Assert.Equal(["model/MLmodel", "model/sub/model.onnx", "notes.txt"], kilnView.Select(a => a.Path));
    }

    [Fact]
    public async Task KilnUpload_IsDownloadableThroughMlflow()
    {
        var (experimentId, runId) = await NewRunAsync();
        using var kiln = Factory.CreateHttpClient();
        using var content = new ByteArrayContent([9, 8, 7]);
        (await kiln.PutAsync($"/api/runs/{runId}/artifacts/data/x.bin", content)).EnsureSuccessStatusCode();

        var bytes = await Api.Http.GetByteArrayAsync($"/api/2.0/mlflow-artifacts/artifacts/{experimentId}/{runId}/artifacts/data/x.bin");

        Assert.Equal([9, 8, 7], bytes);
    }

    [Fact]
    public async Task Proxied_WrongExperimentOrUnknownFile_Is404()
    {
        var (experimentId, runId) = await NewRunAsync();

        using var wrongExperiment = await Api.Http.GetAsync($"/api/2.0/mlflow-artifacts/artifacts/999/{runId}/artifacts/x");
        using var missing = await Api.Http.GetAsync($"/api/2.0/mlflow-artifacts/artifacts/{experimentId}/{runId}/artifacts/none.txt");

        Assert.Equal(HttpStatusCode.NotFound, wrongExperiment.StatusCode);
        MlflowApi.AssertError(JsonDocument.Parse(await missing.Content.ReadAsStringAsync()).RootElement, "RESOURCE_DOES_NOT_EXIST");
    }

    public static TheoryData<string> TraversalPaths =>
    [
        "../../etc/passwd",
        "model/../../secret",
        "%2e%2e/%2e%2e/etc/passwd",
        "%252e%252e/etc/passwd",
        "..%2fsecret",
        "..%5csecret",
        "model\\..\\..\\secret",
        "/etc/passwd",
        "C:/Windows/win.ini",
        "file:///etc/passwd",
        "./model",
        "model//MLmodel",
    ];

    [Theory]
    [MemberData(nameof(TraversalPaths))]
    public async Task ArtifactsList_TraversalPath_Is400(string path)
    {
        var (_, runId) = await NewRunAsync();

        var error = await Api.GetAsync($"artifacts/list?run_id={runId}&path={Uri.EscapeDataString(path)}", HttpStatusCode.BadRequest);

        MlflowApi.AssertError(error, "INVALID_PARAMETER_VALUE");
    }

    [Theory]
    [MemberData(nameof(TraversalPaths))]
    public async Task ProxiedList_TraversalPath_Is400(string path)
    {
        var (experimentId, runId) = await NewRunAsync();

        using var response = await Api.Http.GetAsync($"/api/2.0/mlflow-artifacts/artifacts?path={Uri.EscapeDataString($"{experimentId}/{runId}/artifacts/{path}")}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        MlflowApi.AssertError(JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement, "INVALID_PARAMETER_VALUE");
    }

    [Theory]
    [InlineData("%252e%252e/secret")]
    [InlineData("..%2Fsecret")]
    [InlineData("..%5Csecret")]
    [InlineData("a%2F..%2F..%2Fsecret")]
    public async Task ProxiedUpload_EncodedTraversalInUrl_Is400(string rawPath)
    {
        var (experimentId, runId) = await NewRunAsync();
        using var content = new ByteArrayContent([1]);

        using var response = await Api.Http.PutAsync($"/api/2.0/mlflow-artifacts/artifacts/{experimentId}/{runId}/artifacts/{rawPath}", content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        MlflowApi.AssertError(JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement, "INVALID_PARAMETER_VALUE");
    }

    [Fact]
    public async Task ProxiedPath_NotInRunLayout_Is400()
    {
        using var response = await Api.Http.GetAsync("/api/2.0/mlflow-artifacts/artifacts?path=1/abc/other/x");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    private async Task<(string ExperimentId, string RunId)> NewRunAsync()
    {
        var experimentId = await Api.CreateExperimentAsync("exp-" + Guid.NewGuid().ToString("N")[..8]);
        var runId = (await Api.CreateRunAsync(experimentId)).GetProperty("info").GetProperty("run_id").GetString()!;
        return (experimentId, runId);
    }
}
