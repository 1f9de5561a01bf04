using System.Net;
using System.Text;
using Kiln.Core.Tracking;
using Kiln.Server.Tests.Support;

namespace Kiln.Server.Tests.Mlflow;

/// <summary>One store, two APIs: what one writes, the other reads, up to a deployed model.</summary>
public sealed class MlflowInteropTests : MlflowTestBase
{
    [Fact]
    public async Task KilnTrackedRuns_ReadBackThroughMlflow()
    {
        using var kiln = Factory.CreateKilnClient();
        string runId;
        await using (var run = await kiln.StartRunAsync("bank", "fasttree-1"))
        {
            runId = run.Id;
            await run.LogParamAsync("algorithm", "fasttree");
            await run.LogMetricAsync("auc", 0.8, step: 0);
            await run.LogMetricAsync("auc", 0.9, step: 1);
            await run.SetTagAsync("team", "risk");
            await run.LogInputAsync(new DatasetInput("bank.csv", "abc123", "local", "/data/bank.csv", Context: "training"));
        }

        var experiment = (await Api.GetAsync("experiments/get-by-name?experiment_name=bank")).GetProperty("experiment");
        var experimentId = experiment.GetProperty("experiment_id").GetString();
        var search = await Api.PostAsync("runs/search", $$"""{"experiment_ids":["{{experimentId}}"],"filter":"params.algorithm = 'fasttree' and metrics.auc > 0.85"}""");
        var history = await Api.GetAsync($"metrics/get-history?run_id={runId}&metric_key=auc");

        var found = Assert.Single(search.GetProperty("runs").EnumerateArray());
        var info = found.GetProperty("info");
        Assert.Equal(runId, info.GetProperty("run_id").GetString());
        Assert.Equal("fasttree-1", info.GetProperty("run_name").GetString());
        Assert.Equal("FINISHED", info.GetProperty("status").GetString());
        Assert.Equal(0.9, found.GetProperty("data").GetProperty("metrics")[0].GetProperty("value").GetDouble());
        Assert.Equal(1, found.GetProperty("data").GetProperty("metrics")[0].GetProperty("step").GetInt64());
        Assert.Equal("fasttree", found.GetProperty("data").GetProperty("params")[0].GetProperty("value").GetString());
        Assert.Contains(found.GetProperty("data").GetProperty("tags").EnumerateArray(), t => t.GetProperty("key").GetString() == "team");
        var input = Assert.Single(found.GetProperty("inputs").GetProperty("dataset_inputs").EnumerateArray());
        Assert.Equal("bank.csv", input.GetProperty("dataset").GetProperty("name").GetString());
        Assert.Equal([0.8, 0.9], history.GetProperty("metrics").EnumerateArray().Select(m => m.GetProperty("value").GetDouble()));
    }

    [Fact]
    public async Task MlflowLoggedOnnxModel_RegistersDeploysAndPredicts()
    {
        var (experimentId, runId) = await MlflowModels.LogModelRunAsync(Api, "bank-mlflow");
        await Api.PostAsync("runs/log-batch", $$"""{"run_id":"{{runId}}","metrics":[{"key":"auc","value":0.9,"timestamp":1700000000000,"step":0}],"params":[{"key":"n_estimators","value":"20"}]}""");
        await Api.PostAsync("runs/update", $$"""{"run_id":"{{runId}}","status":"FINISHED"}""");
        await Api.PostAsync("registered-models/create", """{"name":"bank"}""");

        var version = (await Api.PostAsync("model-versions/create", $$"""{"name":"bank","source":"runs:/{{runId}}/model","run_id":"{{runId}}"}""")).GetProperty("model_version");
        await Api.PostAsync("registered-models/alias", $$"""{"name":"bank","alias":"champion","version":"{{version.GetProperty("version").GetString()}}"}""");

        using var http = Factory.CreateHttpClient();
        using var deploy = await http.PutAsync("/api/deployments/bank", Requests.Json("""{"model":"bank@champion"}"""));
        Assert.True(deploy.IsSuccessStatusCode, await deploy.Content.ReadAsStringAsync());
        // mlflow_colspec wraps gbt_sklearn.onnx: its independently computed labels are the reference.
        var expected = TestModels.Case("gbt_sklearn");
        var rows = expected.GetProperty("inputs").GetProperty("float_input").GetRawText();
        var columns = string.Join(',', TestModels.GbtFeatureNames.Select(n => $"\"{n}\""));
        using var predict = await http.PostAsync("/deployments/bank/invocations",
            new StringContent($$$"""{"dataframe_split":{"columns":[{{{columns}}}],"data":{{{rows}}}}}""", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.OK, predict.StatusCode);
        var predictions = (await predict.ReadJsonAsync()).GetProperty("predictions").EnumerateArray().ToArray();
        Assert.Equal(
            expected.GetProperty("outputs").GetProperty("output_label").EnumerateArray().Select(v => v.GetInt64()),
            predictions.Select(p => p.GetProperty("output_label").GetInt64()));
        var kilnVersion = await Factory.CreateKilnClient().GetVersionAsync("bank@champion");
        Assert.Equal(runId, kilnVersion.Manifest.RunId);
        Assert.Equal($"runs:/{runId}/model", kilnVersion.Manifest.Source);
        Assert.Equal(experimentId, (await Factory.CreateKilnClient().GetRunAsync(runId)).ExperimentId);
    }
}
