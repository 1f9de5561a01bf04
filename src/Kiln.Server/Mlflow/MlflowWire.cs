using System.Globalization;
using Kiln.Core;
using Kiln.Core.Registry;
using Kiln.Core.Tracking;

namespace Kiln.Server.Mlflow;

/// <summary>Maps Kiln's tracking and registry records onto MLflow's wire entities.</summary>
internal static class MlflowWire
{
    public static long Millis(DateTimeOffset time) => time.ToUnixTimeMilliseconds();

    /// <summary>MLflow clients use the proxied artifact scheme; the location names the experiment's folder there.</summary>
    public static string ArtifactLocation(string experimentId) => $"mlflow-artifacts:/{experimentId}";

    public static string ArtifactUri(string experimentId, string runId) => $"mlflow-artifacts:/{experimentId}/{runId}/artifacts";

    public static MlflowExperiment Experiment(Experiment e) => new(
        e.Id, e.Name, ArtifactLocation(e.Id), e.LifecycleStage, Millis(e.UpdatedAt), Millis(e.CreatedAt), Tags(e.Tags));

    public static MlflowRunInfo RunInfo(Run run) => new(
        run.Id, run.Id, run.Name, run.ExperimentId, run.Tags.GetValueOrDefault("mlflow.user", ""), Status(run.Status),
        Millis(run.StartTime), run.EndTime is { } end ? Millis(end) : null, ArtifactUri(run.ExperimentId, run.Id), run.LifecycleStage);

    public static MlflowRun Run(Run run) => new(
        RunInfo(run),
        new MlflowRunData(
            run.LatestMetricPoints.Select(Metric).ToArray(),
            run.Params.Select(p => new MlflowParam(p.Key, p.Value)).ToArray(),
            Tags(run.Tags)),
        new MlflowRunInputs(run.Inputs.Select(DatasetInput).ToArray()));

    public static MlflowMetric Metric(MetricPoint point) => new(point.Key, point.Value, Millis(point.Timestamp), point.Step);

    public static MlflowDatasetInput DatasetInput(DatasetInput input) => new(
        input.Context is { } context ? [new MlflowTag("mlflow.data.context", context)] : [],
        new MlflowDataset(input.Name, input.Digest, input.SourceType, input.Source, input.Schema, input.Profile));

    public static DatasetInput DatasetInput(MlflowDatasetInput input)
    {
        var dataset = input.Dataset ?? throw KilnException.Invalid("datasets.dataset", "is required.");
        var context = input.Tags?.FirstOrDefault(t => t.Key == "mlflow.data.context")?.Value;
        return new DatasetInput(
            MlflowHttp.Required(dataset.Name, "datasets.dataset.name"), MlflowHttp.Required(dataset.Digest, "datasets.dataset.digest"),
            dataset.SourceType ?? "", dataset.Source ?? "", dataset.Schema, dataset.Profile, context);
    }

    public static string Status(RunStatus status) => status switch
    {
        RunStatus.Running => "RUNNING",
        RunStatus.Scheduled => "SCHEDULED",
        RunStatus.Finished => "FINISHED",
        RunStatus.Failed => "FAILED",
        _ => "KILLED",
    };

    public static RunStatus ParseStatus(string status) => status switch
    {
        "RUNNING" => RunStatus.Running,
        "SCHEDULED" => RunStatus.Scheduled,
        "FINISHED" => RunStatus.Finished,
        "FAILED" => RunStatus.Failed,
        "KILLED" => RunStatus.Killed,
        _ => throw KilnException.Invalid("status", $"'{status}' is not one of RUNNING, SCHEDULED, FINISHED, FAILED, KILLED."),
    };

    public static MlflowRegisteredModel RegisteredModel(RegisteredModel model, ModelVersion? latest) => new(
        model.Name, Millis(model.CreatedAt), Millis(model.UpdatedAt), model.Description,
        latest is null ? null : [ModelVersion(latest)], Tags(model.Tags),
        model.Aliases.Select(a => new MlflowAlias(a.Key, a.Value.ToString(CultureInfo.InvariantCulture))).ToArray());

    public static MlflowModelVersion ModelVersion(ModelVersion version) => new(
        version.ModelName, version.Version.ToString(CultureInfo.InvariantCulture), Millis(version.CreatedAt), Millis(version.CreatedAt),
        "None", version.Description, version.Manifest.Source ?? $"models:/{version.ModelName}/{version.Version.ToString(CultureInfo.InvariantCulture)}",
        version.Manifest.RunId, "READY", Tags(version.Tags), version.Aliases);

    private static MlflowTag[] Tags(IReadOnlyDictionary<string, string> tags) => tags.Select(t => new MlflowTag(t.Key, t.Value)).ToArray();
}
