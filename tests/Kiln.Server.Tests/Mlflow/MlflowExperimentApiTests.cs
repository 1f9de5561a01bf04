using System.Net;
using System.Text.Json;

namespace Kiln.Server.Tests.Mlflow;

public sealed class MlflowExperimentApiTests : MlflowTestBase
{
    [Fact]
    public async Task Create_ThenGet_ReturnsExperimentShapedAsMlflow()
    {
        var created = await Api.PostAsync("experiments/create", """{"name":"bank","tags":[{"key":"team","value":"risk"}]}""");
        var id = created.GetProperty("experiment_id").GetString()!;
        Assert.Single(created.EnumerateObject());

        var experiment = (await Api.GetAsync($"experiments/get?experiment_id={id}")).GetProperty("experiment");

        MlflowApi.AssertFields(experiment, "experiment_id", "name", "artifact_location", "lifecycle_stage", "last_update_time", "creation_time", "tags");
        Assert.Equal(id, experiment.GetProperty("experiment_id").GetString());
        Assert.Equal("bank", experiment.GetProperty("name").GetString());
        Assert.Equal($"mlflow-artifacts:/{id}", experiment.GetProperty("artifact_location").GetString());
        Assert.Equal("active", experiment.GetProperty("lifecycle_stage").GetString());
        Assert.Equal(JsonValueKind.Number, experiment.GetProperty("creation_time").ValueKind);
        Assert.InRange(experiment.GetProperty("last_update_time").GetInt64(), experiment.GetProperty("creation_time").GetInt64(), long.MaxValue);
        var tag = Assert.Single(experiment.GetProperty("tags").EnumerateArray());
        Assert.Equal("team", tag.GetProperty("key").GetString());
        Assert.Equal("risk", tag.GetProperty("value").GetString());
    }

    [Fact]
    public async Task Create_TakenName_Is400ResourceAlreadyExists()
    {
        await Api.CreateExperimentAsync("bank");

        var error = await Api.PostAsync("experiments/create", """{"name":"bank"}""", HttpStatusCode.BadRequest);

        MlflowApi.AssertError(error, "RESOURCE_ALREADY_EXISTS");
    }

    [Fact]
    public async Task Get_Unknown_Is404ResourceDoesNotExist()
    {
        MlflowApi.AssertError(await Api.GetAsync("experiments/get?experiment_id=999", HttpStatusCode.NotFound), "RESOURCE_DOES_NOT_EXIST");
        MlflowApi.AssertError(await Api.GetAsync("experiments/get-by-name?experiment_name=nope", HttpStatusCode.NotFound), "RESOURCE_DOES_NOT_EXIST");
        MlflowApi.AssertError(await Api.PostAsync("experiments/create", """{}""", HttpStatusCode.BadRequest), "INVALID_PARAMETER_VALUE");
    }

    [Fact]
    public async Task GetByName_AndDefaultExperimentZero_Resolve()
    {
        var id = await Api.CreateExperimentAsync("by name");

        var byName = (await Api.GetAsync("experiments/get-by-name?experiment_name=by%20name")).GetProperty("experiment");
        var fallback = (await Api.GetAsync("experiments/get?experiment_id=0")).GetProperty("experiment");

        Assert.Equal(id, byName.GetProperty("experiment_id").GetString());
        Assert.Equal("Default", fallback.GetProperty("name").GetString());
    }

    [Fact]
    public async Task Search_FiltersOrdersAndPages()
    {
        foreach (var name in new[] { "bank-a", "bank-b", "churn" })
        {
            await Api.CreateExperimentAsync(name);
        }

        var first = await Api.PostAsync("experiments/search", """{"filter":"name LIKE 'bank%'","order_by":["name DESC"],"max_results":1}""");
        var token = first.GetProperty("next_page_token").GetString();
        var second = await Api.PostAsync("experiments/search", $$"""{"filter":"name LIKE 'bank%'","order_by":["name DESC"],"max_results":1,"page_token":"{{token}}"}""");
        var list = await Api.GetAsync("experiments/list");

        Assert.Equal("bank-b", Assert.Single(first.GetProperty("experiments").EnumerateArray()).GetProperty("name").GetString());
        Assert.Equal("bank-a", Assert.Single(second.GetProperty("experiments").EnumerateArray()).GetProperty("name").GetString());
        Assert.False(second.TryGetProperty("next_page_token", out _));
        Assert.Equal(3, list.GetProperty("experiments").GetArrayLength());
    }

    [Fact]
    public async Task UpdateDeleteRestoreAndTag_ChangeTheExperiment()
    {
        var id = await Api.CreateExperimentAsync("old");

        Assert.Empty((await Api.PostAsync("experiments/update", $$"""{"experiment_id":"{{id}}","new_name":"new"}""")).EnumerateObject());
        await Api.PostAsync("experiments/set-experiment-tag", $$"""{"experiment_id":"{{id}}","key":"owner","value":"ada"}""");
        await Api.PostAsync("experiments/delete", $$"""{"experiment_id":"{{id}}"}""");
        var deleted = (await Api.GetAsync($"experiments/get?experiment_id={id}")).GetProperty("experiment");
        var active = await Api.PostAsync("experiments/search", "{}");
        var deletedOnly = await Api.PostAsync("experiments/search", """{"view_type":"DELETED_ONLY"}""");
        await Api.PostAsync("experiments/restore", $$"""{"experiment_id":"{{id}}"}""");
        var restored = (await Api.GetAsync($"experiments/get?experiment_id={id}")).GetProperty("experiment");

        Assert.Equal("new", deleted.GetProperty("name").GetString());
        Assert.Equal("deleted", deleted.GetProperty("lifecycle_stage").GetString());
        Assert.Equal("ada", deleted.GetProperty("tags")[0].GetProperty("value").GetString());
        Assert.Equal(0, active.GetProperty("experiments").GetArrayLength());
        Assert.Equal(1, deletedOnly.GetProperty("experiments").GetArrayLength());
        Assert.Equal("active", restored.GetProperty("lifecycle_stage").GetString());
    }

    [Theory]
    [InlineData("file:///etc")]
    [InlineData("/tmp/artifacts")]
    [InlineData("s3://bucket/x")]
    [InlineData("mlflow-artifacts:/../x")]
    [InlineData("mlflow-artifacts:/%2e%2e/x")]
    [InlineData("mlflow-artifacts:/a\\\\b")]
    public async Task Create_UnsafeArtifactLocation_Is400(string location)
    {
        var body = JsonSerializer.Serialize(new Dictionary<string, string> { ["name"] = "x", ["artifact_location"] = location });

        MlflowApi.AssertError(await Api.PostAsync("experiments/create", body, HttpStatusCode.BadRequest), "INVALID_PARAMETER_VALUE");
    }

    [Fact]
    public async Task AjaxPrefix_ServesTheSameApi()
    {
        var id = await Api.CreateExperimentAsync("ajax");
        using var ajax = new MlflowApi(Factory.CreateHttpClient(), "/ajax-api/2.0/mlflow");

        Assert.Equal("ajax", (await ajax.GetAsync($"experiments/get?experiment_id={id}")).GetProperty("experiment").GetProperty("name").GetString());
    }
}
