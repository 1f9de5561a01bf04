using System.Net;
using System.Net.Http.Headers;
using Kiln.Client;
using Kiln.Core.Packaging;
using Kiln.Server.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Kiln.Server.Tests;

public sealed class RegistryApiTests : IDisposable
{
    private readonly KilnAppFactory _factory = new();

    [Fact]
    public async Task Register_TwiceWithAlias_NumbersVersionsAndMovesAlias()
    {
        using var client = _factory.CreateKilnClient();

        var first = await client.RegisterAsync("gbt", TestModels.PathOf("gbt_sklearn.onnx"), new RegisterOptions { Alias = "champion", Description = "first" });
        var second = await client.RegisterAsync("gbt", TestModels.PathOf("gbt_sklearn.onnx"), new RegisterOptions { Alias = "champion" });

        Assert.Equal(1, first.Version);
        Assert.Equal(2, second.Version);
        Assert.Equal(["champion"], second.Aliases);
        Assert.Equal(2, (await client.GetVersionAsync("gbt@champion")).Version);
        Assert.Empty((await client.GetVersionAsync("gbt/1")).Aliases);
        Assert.Equal("first", (await client.GetVersionAsync("gbt/1")).Description);
        Assert.Equal(2, (await client.GetVersionAsync("gbt")).Version);

        var moved = await client.SetAliasAsync("gbt", "champion", 1);
        Assert.Equal(1, moved.Version);
        Assert.Equal(1, (await client.GetModelAsync("gbt")).Aliases["champion"]);
        Assert.Equal(2, (await client.ListVersionsAsync("gbt")).Count);

        // Every move is kept, newest first: created on v1, moved to v2 by the second registration, back to v1; a no-op set adds nothing.
        await client.SetAliasAsync("gbt", "champion", 1);
        using var http = _factory.CreateHttpClient();
        (await http.DeleteAsync("/api/models/gbt/aliases/champion")).EnsureSuccessStatusCode();
        var moves = (await (await http.GetAsync("/api/models/gbt/alias-history")).ReadJsonAsync()).EnumerateArray()
            .Select(m => (m.GetProperty("alias").GetString(), Version(m, "fromVersion"), Version(m, "toVersion"))).ToArray();
        Assert.Equal([("champion", 1, null), ("champion", 2, 1), ("champion", 1, 2), ("champion", null, 1)], moves);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/api/models/nope/alias-history")).StatusCode);
    }

    private static int? Version(System.Text.Json.JsonElement move, string property) =>
        move.TryGetProperty(property, out var value) && value.ValueKind != System.Text.Json.JsonValueKind.Null ? value.GetInt32() : null;

    [Fact]
    public async Task Register_PlainOnnx_ReadsSignatureAndStoresContentAddressedFile()
    {
        using var client = _factory.CreateKilnClient();

        var version = await client.RegisterAsync("tree", TestModels.PathOf("tree_classifier.onnx"));

        var manifest = version.Manifest;
        Assert.Equal("onnx", manifest.Flavor);
        var input = Assert.Single(manifest.Signature.Inputs);
        Assert.Equal("float_input", input.Name);
        Assert.Equal([-1L, 4L], input.Shape);
        Assert.Equal("probability_map", manifest.Signature.FindOutput("output_probability")!.Kind);
        var file = Assert.Single(manifest.Files);
        Assert.Equal("tree_classifier.onnx", file.Path);
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(TestModels.PathOf("tree_classifier.onnx")))), file.Sha256);
        Assert.True(await _factory.Services.GetRequiredService<IArtifactStore>().ExistsAsync(file.Sha256, CancellationToken.None));
        if (_factory.Database is null)
        {
            Assert.True(File.Exists(Path.Combine(_factory.DataDir, "artifacts", "sha256", file.Sha256[..2], file.Sha256)));
        }
        Assert.NotNull(manifest.InputExample);
        Assert.EndsWith("tree_classifier.onnx", manifest.Source, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Register_MlflowDirectory_TakesColumnsExampleRunIdAndMetadata()
    {
        using var client = _factory.CreateKilnClient();

        var version = await client.RegisterAsync("bank", TestModels.PathOf("mlflow_colspec"));

        var manifest = version.Manifest;
        Assert.Equal("model.onnx", manifest.ModelFile);
        Assert.Equal(TestModels.GbtFeatureNames, manifest.Signature.Inputs[0].Columns);
        Assert.Equal("kiln-tests", manifest.Metadata["team"]);
        Assert.False(string.IsNullOrEmpty(manifest.RunId));
        Assert.Contains(manifest.Files, f => f.Path == "MLmodel");
        Assert.Equal(2, manifest.InputExample!.Value.GetProperty("inputs")[0].GetProperty("shape")[0].GetInt32());
    }

    [Fact]
    public async Task Register_CorruptModel_Is400AndNothingIsRegistered()
    {
        using var client = _factory.CreateKilnClient();

        var error = await Assert.ThrowsAsync<KilnApiException>(() => client.RegisterAsync("bad", TestModels.PathOf("corrupt.onnx")));

        Assert.Equal(HttpStatusCode.BadRequest, error.Status);
        Assert.Contains("not a loadable ONNX model", error.Message, StringComparison.Ordinal);
        var missing = await Assert.ThrowsAsync<KilnApiException>(() => client.GetModelAsync("bad"));
        Assert.Equal(HttpStatusCode.NotFound, missing.Status);
    }

    [Fact]
    public async Task Register_FeatureNamesOfWrongCount_Is400NamingTheField()
    {
        using var client = _factory.CreateKilnClient();

        var error = await Assert.ThrowsAsync<KilnApiException>(() =>
            client.RegisterAsync("gbt", TestModels.PathOf("gbt_sklearn.onnx"), new RegisterOptions { FeatureNames = ["a", "b"] }));

        Assert.Equal(HttpStatusCode.BadRequest, error.Status);
        Assert.Equal("featureNames", error.Field);
    }

    [Theory]
    [InlineData("../evil.onnx")]
    [InlineData("/etc/evil.onnx")]
    [InlineData("a/../../evil.onnx")]
    [InlineData("C:evil.onnx")]
    [InlineData("a\\evil.onnx")]
    public async Task Register_PathTraversalInFileName_Is400(string fileName)
    {
        using var http = _factory.CreateHttpClient();
        using var content = new MultipartFormDataContent();
        var part = new ByteArrayContent(File.ReadAllBytes(TestModels.PathOf("gbt_sklearn.onnx")));
        part.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        content.Add(part, "file", fileName);

        using var response = await http.PostAsync("/api/models/evil/versions", content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("file", (await response.ReadJsonAsync()).GetProperty("field").GetString());
        Assert.False(File.Exists(Path.Combine(_factory.DataDir, "evil.onnx")));
    }

    [Fact]
    public async Task Register_FloodOfFormFields_IsRefusedBeforeItGrowsMemory()
    {
        using var http = _factory.CreateHttpClient();
        using var many = new MultipartFormDataContent();
        for (var i = 0; i < 40; i++)
        {
            many.Add(new StringContent("x"), $"field{i}");
        }

        using var large = new MultipartFormDataContent();
        for (var i = 0; i < 20; i++)
        {
            large.Add(new StringContent(new string('x', 60 * 1024)), $"field{i}"); // each under the per-field cap
        }

        using var small = new KilnAppFactory(settings: new Dictionary<string, string?> { ["Kiln:Serving:MaxUploadBytes"] = "1048576" });
        using var smallHttp = small.CreateHttpClient();

        using var tooMany = await http.PostAsync("/api/models/m/versions", many);
        using var tooLarge = await smallHttp.PostAsync("/api/models/m/versions", large);

        Assert.Equal(HttpStatusCode.BadRequest, tooMany.StatusCode);
        Assert.Contains("at most 32 form fields", (await tooMany.ReadJsonAsync()).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooLarge.StatusCode);
    }

    [Fact]
    public async Task Register_NoFileOrWrongMediaType_IsClear4xx()
    {
        using var http = _factory.CreateHttpClient();
        using var empty = new MultipartFormDataContent { { new StringContent("champion"), "alias" } };

        using var noFile = await http.PostAsync("/api/models/m/versions", empty);
        using var json = await http.PostAsync("/api/models/m/versions", Requests.Json("{}"));

        Assert.Equal(HttpStatusCode.BadRequest, noFile.StatusCode);
        Assert.Contains("no file", (await noFile.ReadJsonAsync()).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, json.StatusCode);
    }

    [Fact]
    public async Task Register_InvalidModelName_Is400()
    {
        using var client = _factory.CreateKilnClient();

        var error = await Assert.ThrowsAsync<KilnApiException>(() => client.RegisterAsync("-bad name", TestModels.PathOf("gbt_sklearn.onnx")));

        Assert.Equal(HttpStatusCode.BadRequest, error.Status);
        Assert.Equal("name", error.Field);
    }

    [Fact]
    public async Task Aliases_UnknownModelOrVersion_Are404()
    {
        using var client = _factory.CreateKilnClient();
        await client.RegisterAsync("gbt", TestModels.PathOf("gbt_sklearn.onnx"));

        Assert.Equal(HttpStatusCode.NotFound, (await Assert.ThrowsAsync<KilnApiException>(() => client.SetAliasAsync("gbt", "champion", 9))).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await Assert.ThrowsAsync<KilnApiException>(() => client.SetAliasAsync("nope", "champion", 1))).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await Assert.ThrowsAsync<KilnApiException>(() => client.GetVersionAsync("gbt@nope"))).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await Assert.ThrowsAsync<KilnApiException>(() => client.GetVersionAsync("gbt/5"))).Status);
    }

    [Fact]
    public async Task Models_ListAndDescription()
    {
        using var client = _factory.CreateKilnClient();
        using var http = _factory.CreateHttpClient();
        await client.RegisterAsync("b-model", TestModels.PathOf("regressor.onnx"));
        await client.RegisterAsync("a-model", TestModels.PathOf("regressor.onnx"));

        using var patch = await http.PatchAsync("/api/models/a-model", Requests.Json("""{"description":"linear"}"""));

        Assert.Equal(HttpStatusCode.OK, patch.StatusCode);
        var models = await client.ListModelsAsync();
        Assert.Equal(["a-model", "b-model"], models.Select(m => m.Name));
        Assert.Equal("linear", models[0].Description);
    }

    [Fact]
    public async Task Api_MalformedJsonBody_Is400ProblemDetails()
    {
        using var http = _factory.CreateHttpClient();

        using var response = await http.PutAsync("/api/deployments/x", Requests.Json("{not json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    public void Dispose() => _factory.Dispose();
}
