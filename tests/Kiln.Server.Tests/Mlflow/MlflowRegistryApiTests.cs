using System.Net;
using System.Text.Json;
using Kiln.Server.Tests.Support;

namespace Kiln.Server.Tests.Mlflow;

public sealed class MlflowRegistryApiTests : MlflowTestBase
{
    [Fact]
    public async Task RegisteredModel_CreateGetUpdateSearchDelete()
    {
        var created = (await Api.PostAsync("registered-models/create", """{"name":"bank","description":"first","tags":[{"key":"team","value":"risk"}]}""")).GetProperty("registered_model");
        await Api.PostAsync("registered-models/create", """{"name":"churn"}""");
        var updated = (await Api.PatchAsync("registered-models/update", """{"name":"bank","description":"second"}""")).GetProperty("registered_model");
        var got = (await Api.GetAsync("registered-models/get?name=bank")).GetProperty("registered_model");
        var search = await Api.GetAsync("registered-models/search?filter=name%20LIKE%20%27ba%25%27&max_results=10");
        var all = await Api.GetAsync("registered-models/search?order_by=name%20DESC&max_results=1");

        MlflowApi.AssertFields(created, "name", "creation_timestamp", "last_updated_timestamp", "description", "tags", "aliases");
        Assert.Equal("bank", created.GetProperty("name").GetString());
        Assert.Equal("first", created.GetProperty("description").GetString());
        Assert.Equal(JsonValueKind.Number, created.GetProperty("creation_timestamp").ValueKind);
        Assert.Equal(JsonValueKind.Number, created.GetProperty("last_updated_timestamp").ValueKind);
        Assert.Equal("risk", created.GetProperty("tags")[0].GetProperty("value").GetString());
        Assert.Equal(0, created.GetProperty("aliases").GetArrayLength());
        Assert.False(created.TryGetProperty("latest_versions", out _));
        Assert.Equal("second", updated.GetProperty("description").GetString());
        Assert.Equal("second", got.GetProperty("description").GetString());
        Assert.Equal("bank", Assert.Single(search.GetProperty("registered_models").EnumerateArray()).GetProperty("name").GetString());
        Assert.Equal("churn", Assert.Single(all.GetProperty("registered_models").EnumerateArray()).GetProperty("name").GetString());
        Assert.True(all.TryGetProperty("next_page_token", out _));

        Assert.Empty((await Api.DeleteAsync("registered-models/delete", """{"name":"bank"}""")).EnumerateObject());
        MlflowApi.AssertError(await Api.GetAsync("registered-models/get?name=bank", HttpStatusCode.NotFound), "RESOURCE_DOES_NOT_EXIST");
    }

    [Fact]
    public async Task RegisteredModel_Errors()
    {
        await Api.PostAsync("registered-models/create", """{"name":"bank"}""");

        MlflowApi.AssertError(await Api.PostAsync("registered-models/create", """{"name":"bank"}""", HttpStatusCode.BadRequest), "RESOURCE_ALREADY_EXISTS");
        MlflowApi.AssertError(await Api.PostAsync("registered-models/create", """{}""", HttpStatusCode.BadRequest), "INVALID_PARAMETER_VALUE");
        MlflowApi.AssertError(await Api.DeleteAsync("registered-models/delete", """{"name":"nope"}""", HttpStatusCode.NotFound), "RESOURCE_DOES_NOT_EXIST");
        MlflowApi.AssertError(await Api.PatchAsync("registered-models/update", """{"name":"nope","description":"x"}""", HttpStatusCode.NotFound), "RESOURCE_DOES_NOT_EXIST");
    }

    [Fact]
    public async Task ModelVersion_FromRunArtifacts_CreateGetSearchUpdateAliasesDelete()
    {
        var (experimentId, runId) = await MlflowModels.LogModelRunAsync(Api);
        await Api.PostAsync("registered-models/create", """{"name":"bank"}""");

        var version = (await Api.PostAsync("model-versions/create",
            $$"""{"name":"bank","source":"mlflow-artifacts:/{{experimentId}}/{{runId}}/artifacts/model","run_id":"{{runId}}","description":"v1","tags":[{"key":"k","value":"v"}]}""")).GetProperty("model_version");
        var second = (await Api.PostAsync("model-versions/create", $$"""{"name":"bank","source":"runs:/{{runId}}/model"}""")).GetProperty("model_version");

        MlflowApi.AssertFields(version, "name", "version", "creation_timestamp", "last_updated_timestamp", "current_stage", "description", "source", "run_id", "status", "tags", "aliases");
        Assert.Equal("bank", version.GetProperty("name").GetString());
        Assert.Equal("1", version.GetProperty("version").GetString());
        Assert.Equal("2", second.GetProperty("version").GetString());
        Assert.Equal($"mlflow-artifacts:/{experimentId}/{runId}/artifacts/model", version.GetProperty("source").GetString());
        Assert.Equal(runId, version.GetProperty("run_id").GetString());
        Assert.Equal("READY", version.GetProperty("status").GetString());
        Assert.Equal("None", version.GetProperty("current_stage").GetString());
        Assert.Equal("v1", version.GetProperty("description").GetString());
        Assert.Equal("v", version.GetProperty("tags")[0].GetProperty("value").GetString());
        Assert.Equal(JsonValueKind.Number, version.GetProperty("creation_timestamp").ValueKind);
        Assert.Equal(JsonValueKind.Number, version.GetProperty("last_updated_timestamp").ValueKind);

        Assert.Empty((await Api.PostAsync("registered-models/alias", """{"name":"bank","alias":"champion","version":"1"}""")).EnumerateObject());
        var byAlias = (await Api.GetAsync("registered-models/alias?name=bank&alias=champion")).GetProperty("model_version");
        var byAliasRoute = (await Api.GetAsync("registered-models/get-model-version-by-alias?name=bank&alias=champion")).GetProperty("model_version");
        var model = (await Api.GetAsync("registered-models/get?name=bank")).GetProperty("registered_model");
        var latest = await Api.PostAsync("registered-models/get-latest-versions", """{"name":"bank","stages":["None"]}""");
        var staged = await Api.PostAsync("registered-models/get-latest-versions", """{"name":"bank","stages":["Production"]}""");
        var search = await Api.GetAsync($"model-versions/search?filter=run_id%3D%27{runId}%27");
        var updated = (await Api.PatchAsync("model-versions/update", """{"name":"bank","version":"1","description":"better"}""")).GetProperty("model_version");
        var got = (await Api.GetAsync("model-versions/get?name=bank&version=1")).GetProperty("model_version");

        Assert.Equal("1", byAlias.GetProperty("version").GetString());
        Assert.Equal(["champion"], byAlias.GetProperty("aliases").EnumerateArray().Select(a => a.GetString()));
        Assert.Equal("1", byAliasRoute.GetProperty("version").GetString());
        var alias = Assert.Single(model.GetProperty("aliases").EnumerateArray());
        Assert.Equal("champion", alias.GetProperty("alias").GetString());
        Assert.Equal("1", alias.GetProperty("version").GetString());
        Assert.Equal("2", Assert.Single(model.GetProperty("latest_versions").EnumerateArray()).GetProperty("version").GetString());
        Assert.Equal("2", Assert.Single(latest.GetProperty("model_versions").EnumerateArray()).GetProperty("version").GetString());
        Assert.Equal(0, staged.GetProperty("model_versions").GetArrayLength());
        Assert.Equal(2, search.GetProperty("model_versions").GetArrayLength());
        Assert.Equal("better", updated.GetProperty("description").GetString());
        Assert.Equal("better", got.GetProperty("description").GetString());

        await Api.DeleteAsync("registered-models/alias", """{"name":"bank","alias":"champion"}""");
        MlflowApi.AssertError(await Api.GetAsync("registered-models/alias?name=bank&alias=champion", HttpStatusCode.NotFound), "RESOURCE_DOES_NOT_EXIST");
        await Api.DeleteAsync("model-versions/delete", """{"name":"bank","version":"1"}""");
        MlflowApi.AssertError(await Api.GetAsync("model-versions/get?name=bank&version=1", HttpStatusCode.NotFound), "RESOURCE_DOES_NOT_EXIST");
        Assert.Equal("2", (await Api.GetAsync("model-versions/get?name=bank&version=2")).GetProperty("model_version").GetProperty("version").GetString());
    }

    [Fact]
    public async Task KilnVersion_IsVisibleThroughMlflow()
    {
        using var kiln = Factory.CreateKilnClient();
        await kiln.RegisterAsync("gbt", TestModels.PathOf("mlflow_colspec"), new Kiln.Client.RegisterOptions { Alias = "champion" });

        var version = (await Api.GetAsync("model-versions/get?name=gbt&version=1")).GetProperty("model_version");
        var model = (await Api.GetAsync("registered-models/get?name=gbt")).GetProperty("registered_model");

        Assert.Equal(["champion"], version.GetProperty("aliases").EnumerateArray().Select(a => a.GetString()));
        Assert.Equal("READY", version.GetProperty("status").GetString());
        Assert.Equal("champion", model.GetProperty("aliases")[0].GetProperty("alias").GetString());
    }

    public static TheoryData<string> UnsafeSources =>
    [
        "file:///etc/passwd",
        "/etc/passwd",
        "s3://bucket/model",
        "http://example.com/model",
        "models:/other/1",
        "runs:/0123456789abcdef0123456789abcdef/../../etc",
        "runs:/0123456789abcdef0123456789abcdef/%2e%2e/%2e%2e/etc",
        "runs:/0123456789abcdef0123456789abcdef/%252e%252e/etc",
        "runs:/0123456789abcdef0123456789abcdef/model\\..\\..\\etc",
        "mlflow-artifacts:/1/0123456789abcdef0123456789abcdef/artifacts/../../../etc",
        "mlflow-artifacts:/1/0123456789abcdef0123456789abcdef/other/model",
        "mlflow-artifacts://host/1/0123456789abcdef0123456789abcdef/artifacts/model",
        "",
    ];

    [Theory]
    [MemberData(nameof(UnsafeSources))]
    public async Task ModelVersionCreate_UnsafeSource_Is400(string source)
    {
        await Api.PostAsync("registered-models/create", """{"name":"bank"}""");
        var body = JsonSerializer.Serialize(new Dictionary<string, string> { ["name"] = "bank", ["source"] = source });

        MlflowApi.AssertError(await Api.PostAsync("model-versions/create", body, HttpStatusCode.BadRequest), "INVALID_PARAMETER_VALUE");
    }

    [Fact]
    public async Task ModelVersionCreate_Errors()
    {
        var (_, runId) = await MlflowModels.LogModelRunAsync(Api);
        await Api.PostAsync("registered-models/create", """{"name":"bank"}""");

        MlflowApi.AssertError(await Api.PostAsync("model-versions/create", $$"""{"name":"nope","source":"runs:/{{runId}}/model"}""", HttpStatusCode.NotFound), "RESOURCE_DOES_NOT_EXIST");
        MlflowApi.AssertError(await Api.PostAsync("model-versions/create", $$"""{"name":"bank","source":"runs:/{{runId}}/missing"}""", HttpStatusCode.BadRequest), "INVALID_PARAMETER_VALUE");
        MlflowApi.AssertError(await Api.PostAsync("model-versions/create", """{"name":"bank","source":"runs:/0123456789abcdef0123456789abcdef/model"}""", HttpStatusCode.NotFound), "RESOURCE_DOES_NOT_EXIST");
        MlflowApi.AssertError(await Api.GetAsync("model-versions/get?name=bank&version=x", HttpStatusCode.BadRequest), "INVALID_PARAMETER_VALUE");
    }
}
