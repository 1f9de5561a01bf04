using Kiln.Server.Tests.Support;

namespace Kiln.Server.Tests.Mlflow;

/// <summary>Logs a run with the generated MLflow ONNX model directory (models/mlflow_colspec) under <c>model/</c>, as mlflow.onnx.log_model would.</summary>
public static class MlflowModels
{
    public static async Task<(string ExperimentId, string RunId)> LogModelRunAsync(MlflowApi api, string experiment = "mlflow-models")
    {
        var experimentId = (await api.PostAsync("experiments/search", $$"""{"filter":"name = '{{experiment}}'"}""")).GetProperty("experiments") is { } found && found.GetArrayLength() > 0
            ? found[0].GetProperty("experiment_id").GetString()!
            : await api.CreateExperimentAsync(experiment);
        var run = await api.CreateRunAsync(experimentId, "onnx-model");
        var runId = run.GetProperty("info").GetProperty("run_id").GetString()!;
        var directory = TestModels.PathOf("mlflow_colspec");
        foreach (var file in Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(directory, file).Replace('\\', '/');
            await api.UploadArtifactAsync($"{experimentId}/{runId}/artifacts/model/{relative}", await File.ReadAllBytesAsync(file));
        }

        return (experimentId, runId);
    }
}
