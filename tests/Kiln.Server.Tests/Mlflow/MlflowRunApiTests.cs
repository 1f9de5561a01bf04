using System.Net;
using System.Text;
using System.Text.Json;
using Kiln.Core.Security;

namespace Kiln.Server.Tests.Mlflow;

public sealed class MlflowRunApiTests : MlflowTestBase
{
    [Fact]
    public async Task Create_ReturnsRunShapedAsMlflow()
    {
        var experimentId = await Api.CreateExperimentAsync("bank");

        var run = await Api.CreateRunAsync(experimentId, "lgbm-1");

        MlflowApi.AssertFields(run, "info", "data", "inputs");
        var info = run.GetProperty("info");
        MlflowApi.AssertFields(info, "run_id", "run_uuid", "run_name", "experiment_id", "user_id", "status", "start_time", "artifact_uri", "lifecycle_stage");
        MlflowApi.AssertFields(run.GetProperty("data"), "metrics", "params", "tags");
        var runId = info.GetProperty("run_id").GetString()!;
        Assert.Matches("^[0-9a-f]{32}$", runId);
        Assert.Equal(runId, info.GetProperty("run_uuid").GetString());
        Assert.Equal("lgbm-1", info.GetProperty("run_name").GetString());
        Assert.Equal(experimentId, info.GetProperty("experiment_id").GetString());
        Assert.Equal("ada", info.GetProperty("user_id").GetString());
        Assert.Equal("RUNNING", info.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Number, info.GetProperty("start_time").ValueKind);
        Assert.False(info.TryGetProperty("end_time", out _));
        Assert.Equal($"mlflow-artifacts:/{experimentId}/{runId}/artifacts", info.GetProperty("artifact_uri").GetString());
        Assert.Equal("active", info.GetProperty("lifecycle_stage").GetString());
        var data = run.GetProperty("data");
        Assert.Equal(0, data.GetProperty("metrics").GetArrayLength());
        Assert.Equal(0, data.GetProperty("params").GetArrayLength());
        Assert.Equal("mlflow.user", data.GetProperty("tags")[0].GetProperty("key").GetString());
        Assert.Equal(0, run.GetProperty("inputs").GetProperty("dataset_inputs").GetArrayLength());
    }

    [Fact]
    public async Task Log_MetricParamBatchTagsAndInputs_ReadBackByGetAndHistory()
    {
        var runId = await NewRunAsync();

        await Api.PostAsync("runs/log-metric", $$"""{"run_id":"{{runId}}","key":"loss","value":0.9,"timestamp":1700000000000,"step":0}""");
        await Api.PostAsync("runs/log-metric", $$"""{"run_id":"{{runId}}","key":"loss","value":0.4,"timestamp":1700000001000,"step":1}""");
        await Api.PostAsync("runs/log-parameter", $$"""{"run_id":"{{runId}}","key":"lr","value":"0.1"}""");
        await Api.PostAsync("runs/log-batch", $$"""
            {"run_id":"{{runId}}","metrics":[{"key":"auc","value":0.91,"timestamp":1700000002000,"step":3}],
             "params":[{"key":"leaves","value":"31"}],"tags":[{"key":"team","value":"risk"},{"key":"gone","value":"x"}]}
            """);
        await Api.PostAsync("runs/set-tag", $$"""{"run_id":"{{runId}}","key":"team","value":"growth"}""");
        await Api.PostAsync("runs/delete-tag", $$"""{"run_id":"{{runId}}","key":"gone"}""");
        await Api.PostAsync("runs/log-inputs", $$$"""
            {"run_id":"{{{runId}}}","datasets":[{"tags":[{"key":"mlflow.data.context","value":"training"}],
             "dataset":{"name":"bank.csv","digest":"abc123","source_type":"local","source":"{\"uri\":\"bank.csv\"}","schema":"{}","profile":"{\"num_rows\":10}"}}]}
            """);
        var updated = await Api.PostAsync("runs/update", $$"""{"run_id":"{{runId}}","status":"FINISHED","end_time":1700000003000}""");

        var run = (await Api.GetAsync($"runs/get?run_id={runId}")).GetProperty("run");
        var history = await Api.GetAsync($"metrics/get-history?run_id={runId}&metric_key=loss");

        Assert.Equal("FINISHED", updated.GetProperty("run_info").GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Number, updated.GetProperty("run_info").GetProperty("end_time").ValueKind);
        var metrics = run.GetProperty("data").GetProperty("metrics").EnumerateArray().ToDictionary(m => m.GetProperty("key").GetString()!);
        MlflowApi.AssertFields(metrics["auc"], "key", "value", "timestamp", "step");
        Assert.Equal(0.91, metrics["auc"].GetProperty("value").GetDouble());
        Assert.Equal(1700000002000, metrics["auc"].GetProperty("timestamp").GetInt64());
        Assert.Equal(3, metrics["auc"].GetProperty("step").GetInt64());
        Assert.Equal(0.4, metrics["loss"].GetProperty("value").GetDouble());
        var parameters = run.GetProperty("data").GetProperty("params").EnumerateArray().ToDictionary(p => p.GetProperty("key").GetString()!, p => p.GetProperty("value").GetString());
        Assert.Equal("0.1", parameters["lr"]);
        Assert.Equal("31", parameters["leaves"]);
        var tags = run.GetProperty("data").GetProperty("tags").EnumerateArray().ToDictionary(t => t.GetProperty("key").GetString()!, t => t.GetProperty("value").GetString());
        Assert.Equal("growth", tags["team"]);
        Assert.False(tags.ContainsKey("gone"));
        var input = Assert.Single(run.GetProperty("inputs").GetProperty("dataset_inputs").EnumerateArray());
        Assert.Equal("training", input.GetProperty("tags")[0].GetProperty("value").GetString());
        Assert.Equal("abc123", input.GetProperty("dataset").GetProperty("digest").GetString());
        Assert.Equal("local", input.GetProperty("dataset").GetProperty("source_type").GetString());
        var points = history.GetProperty("metrics").EnumerateArray().ToArray();
        Assert.Equal([0.9, 0.4], points.Select(p => p.GetProperty("value").GetDouble()));
        Assert.Equal([0L, 1L], points.Select(p => p.GetProperty("step").GetInt64()));
        Assert.Equal("loss", points[0].GetProperty("key").GetString());
    }

    [Fact]
    public async Task LogModel_AppendsToTheLogModelHistoryTag()
    {
        var runId = await NewRunAsync();
        var model = $$$"""{"artifact_path":"model","flavors":{"onnx":{}},"run_id":"{{{runId}}}","utc_time_created":"2024-03-21 09:15:42.123456"}""";

        await Api.PostAsync("runs/log-model", JsonSerializer.Serialize(new Dictionary<string, string> { ["run_id"] = runId, ["model_json"] = model }));
        var bad = await Api.PostAsync("runs/log-model", JsonSerializer.Serialize(new Dictionary<string, string> { ["run_id"] = runId, ["model_json"] = "{nope" }), HttpStatusCode.BadRequest);

        var run = (await Api.GetAsync($"runs/get?run_id={runId}")).GetProperty("run");
        var tag = run.GetProperty("data").GetProperty("tags").EnumerateArray().Single(t => t.GetProperty("key").GetString() == "mlflow.log-model.history");
        using var history = JsonDocument.Parse(tag.GetProperty("value").GetString()!);
        Assert.Equal("model", Assert.Single(history.RootElement.EnumerateArray()).GetProperty("artifact_path").GetString());
        MlflowApi.AssertError(bad, "INVALID_PARAMETER_VALUE");
    }

    [Fact]
    public async Task Log_ToDeletedRun_Is400()
    {
        var runId = await NewRunAsync();
        await Api.PostAsync("runs/delete", $$"""{"run_id":"{{runId}}"}""");

        var error = await Api.PostAsync("runs/set-tag", $$"""{"run_id":"{{runId}}","key":"a","value":"b"}""", HttpStatusCode.BadRequest);

        MlflowApi.AssertError(error, "INVALID_PARAMETER_VALUE");
    }

    [Fact]
    public async Task LogParameter_ChangedValue_Is400InvalidParameterValue()
    {
        var runId = await NewRunAsync();
        await Api.PostAsync("runs/log-parameter", $$"""{"run_id":"{{runId}}","key":"lr","value":"0.1"}""");

        var error = await Api.PostAsync("runs/log-parameter", $$"""{"run_id":"{{runId}}","key":"lr","value":"0.2"}""", HttpStatusCode.BadRequest);

        MlflowApi.AssertError(error, "INVALID_PARAMETER_VALUE");
    }

    [Theory]
    [InlineData(1001, 0, 0)]
    [InlineData(0, 101, 0)]
    [InlineData(0, 0, 101)]
    [InlineData(950, 100, 0)]
    public async Task LogBatch_OverMlflowLimits_Is400(int metrics, int parameters, int tags)
    {
        var runId = await NewRunAsync();
        var body = new StringBuilder($$"""{"run_id":"{{runId}}","metrics":[""");
        body.AppendJoin(',', Enumerable.Range(0, metrics).Select(i => $$"""{"key":"m{{i}}","value":1,"timestamp":1,"step":0}"""));
        body.Append("""],"params":[""").AppendJoin(',', Enumerable.Range(0, parameters).Select(i => $$"""{"key":"p{{i}}","value":"v"}"""));
        body.Append("""],"tags":[""").AppendJoin(',', Enumerable.Range(0, tags).Select(i => $$"""{"key":"t{{i}}","value":"v"}""")).Append("]}");

        MlflowApi.AssertError(await Api.PostAsync("runs/log-batch", body.ToString(), HttpStatusCode.BadRequest), "INVALID_PARAMETER_VALUE");
    }

    [Fact]
    public async Task Search_FilterOrderAndPage_UseMlflowGrammar()
    {
        var experimentId = await Api.CreateExperimentAsync("sweep");
        double[] aucs = [0.71, 0.93, 0.85];
        foreach (var auc in aucs)
        {
            var runId = (await Api.CreateRunAsync(experimentId)).GetProperty("info").GetProperty("run_id").GetString();
            await Api.PostAsync("runs/log-metric", $$"""{"run_id":"{{runId}}","key":"auc","value":{{auc}},"timestamp":1,"step":0}""");
        }

        var first = await Api.PostAsync("runs/search", $$"""{"experiment_ids":["{{experimentId}}"],"filter":"metrics.auc > 0.8","order_by":["metrics.auc DESC"],"max_results":1}""");
        var token = first.GetProperty("next_page_token").GetString();
        var second = await Api.PostAsync("runs/search", $$"""{"experiment_ids":["{{experimentId}}"],"filter":"metrics.auc > 0.8","order_by":["metrics.auc DESC"],"max_results":1,"page_token":"{{token}}"}""");
        var bad = await Api.PostAsync("runs/search", """{"filter":"metrics.auc >>> 1"}""", HttpStatusCode.BadRequest);

        Assert.Equal(0.93, first.GetProperty("runs")[0].GetProperty("data").GetProperty("metrics")[0].GetProperty("value").GetDouble());
        Assert.Equal(0.85, second.GetProperty("runs")[0].GetProperty("data").GetProperty("metrics")[0].GetProperty("value").GetDouble());
        Assert.False(second.TryGetProperty("next_page_token", out _));
        MlflowApi.AssertError(bad, "INVALID_PARAMETER_VALUE");
    }

    [Fact]
    public async Task DeleteAndRestore_HideAndShowTheRunInSearch()
    {
        var experimentId = await Api.CreateExperimentAsync("e");
        var runId = (await Api.CreateRunAsync(experimentId)).GetProperty("info").GetProperty("run_id").GetString();

        await Api.PostAsync("runs/delete", $$"""{"run_id":"{{runId}}"}""");
        var deleted = (await Api.GetAsync($"runs/get?run_id={runId}")).GetProperty("run").GetProperty("info");
        var hidden = await Api.PostAsync("runs/search", $$"""{"experiment_ids":["{{experimentId}}"]}""");
        await Api.PostAsync("runs/restore", $$"""{"run_id":"{{runId}}"}""");
        var shown = await Api.PostAsync("runs/search", $$"""{"experiment_ids":["{{experimentId}}"]}""");

        Assert.Equal("deleted", deleted.GetProperty("lifecycle_stage").GetString());
        Assert.Equal(0, hidden.GetProperty("runs").GetArrayLength());
        Assert.Equal(1, shown.GetProperty("runs").GetArrayLength());
    }

    [Fact]
    public async Task Create_WithoutExperiment_UsesTheDefaultExperiment()
    {
        var run = (await Api.PostAsync("runs/create", "{}")).GetProperty("run");
        var defaultExperiment = (await Api.GetAsync("experiments/get-by-name?experiment_name=Default")).GetProperty("experiment");

        Assert.Equal(defaultExperiment.GetProperty("experiment_id").GetString(), run.GetProperty("info").GetProperty("experiment_id").GetString());
    }

    [Fact]
    public async Task Errors_UnknownRunBadStatusAndMissingFields()
    {
        var runId = await NewRunAsync();

        MlflowApi.AssertError(await Api.GetAsync("runs/get?run_id=0123456789abcdef0123456789abcdef", HttpStatusCode.NotFound), "RESOURCE_DOES_NOT_EXIST");
        MlflowApi.AssertError(await Api.PostAsync("runs/update", $$"""{"run_id":"{{runId}}","status":"DONE"}""", HttpStatusCode.BadRequest), "INVALID_PARAMETER_VALUE");
        MlflowApi.AssertError(await Api.PostAsync("runs/log-metric", $$"""{"run_id":"{{runId}}","value":1}""", HttpStatusCode.BadRequest), "INVALID_PARAMETER_VALUE");
        MlflowApi.AssertError(await Api.PostAsync("runs/delete-tag", $$"""{"run_id":"{{runId}}","key":"nope"}""", HttpStatusCode.NotFound), "RESOURCE_DOES_NOT_EXIST");
        MlflowApi.AssertError(await Api.PostAsync("runs/log-batch", "{not json", HttpStatusCode.BadRequest), "INVALID_PARAMETER_VALUE");
    }

    [Fact]
    public async Task Auth_ViewerReadsButCannotWrite_NoKeyIsUnauthenticated()
    {
        var runId = await NewRunAsync();
        using var kiln = Factory.CreateKilnClient();
        var viewerKey = (await kiln.CreateKeyAsync("viewer", KilnRole.Viewer)).Key;
        using var viewer = new MlflowApi(Factory.CreateHttpClient(viewerKey));
        using var anonymous = new MlflowApi(Factory.CreateHttpClient(null));

        await viewer.GetAsync($"runs/get?run_id={runId}");
        MlflowApi.AssertError(await viewer.PostAsync("runs/set-tag", $$"""{"run_id":"{{runId}}","key":"a","value":"b"}""", HttpStatusCode.Forbidden), "PERMISSION_DENIED");
        MlflowApi.AssertError(await anonymous.GetAsync($"runs/get?run_id={runId}", HttpStatusCode.Unauthorized), "UNAUTHENTICATED");
    }

    private async Task<string> NewRunAsync() =>
        (await Api.CreateRunAsync(await Api.CreateExperimentAsync("exp-" + Guid.NewGuid().ToString("N")[..8]))).GetProperty("info").GetProperty("run_id").GetString()!;
}
