namespace Kiln.Server.Mlflow;

// MLflow's entities as its REST API writes them (mlflow/protos/service.proto, model_registry.proto,
// mlflow_artifacts.proto): snake_case names, string ids, millisecond timestamps, enums as strings.

internal sealed record MlflowTag(string Key, string? Value);

internal sealed record MlflowExperiment(
    string ExperimentId, string Name, string ArtifactLocation, string LifecycleStage, long LastUpdateTime, long CreationTime, IReadOnlyList<MlflowTag> Tags);

internal sealed record MlflowRunInfo(
    string RunId, string RunUuid, string RunName, string ExperimentId, string UserId, string Status, long StartTime, long? EndTime, string ArtifactUri, string LifecycleStage);

internal sealed record MlflowMetric(string Key, double Value, long Timestamp, long Step);

internal sealed record MlflowParam(string Key, string? Value);

internal sealed record MlflowRunData(IReadOnlyList<MlflowMetric> Metrics, IReadOnlyList<MlflowParam> Params, IReadOnlyList<MlflowTag> Tags);

internal sealed record MlflowDataset(string? Name, string? Digest, string? SourceType, string? Source, string? Schema = null, string? Profile = null);

internal sealed record MlflowDatasetInput(IReadOnlyList<MlflowTag>? Tags, MlflowDataset? Dataset);

internal sealed record MlflowRunInputs(IReadOnlyList<MlflowDatasetInput> DatasetInputs);

internal sealed record MlflowRun(MlflowRunInfo Info, MlflowRunData Data, MlflowRunInputs Inputs);

internal sealed record MlflowFileInfo(string Path, bool IsDir, long? FileSize);

internal sealed record MlflowAlias(string Alias, string Version);

internal sealed record MlflowModelVersion(
    string Name, string Version, long CreationTimestamp, long LastUpdatedTimestamp, string CurrentStage, string? Description,
    string Source, string? RunId, string Status, IReadOnlyList<MlflowTag> Tags, IReadOnlyList<string> Aliases);

internal sealed record MlflowRegisteredModel(
    string Name, long CreationTimestamp, long LastUpdatedTimestamp, string? Description,
    IReadOnlyList<MlflowModelVersion>? LatestVersions, IReadOnlyList<MlflowTag> Tags, IReadOnlyList<MlflowAlias> Aliases);
