namespace Kiln.Server.Mlflow;

// Request and response messages, named after MLflow's protos.

internal sealed record MlflowEmpty;

internal sealed record CreateExperiment(string? Name, string? ArtifactLocation, IReadOnlyList<MlflowTag>? Tags);
internal sealed record CreateExperimentResponse(string ExperimentId);
internal sealed record ExperimentResponse(MlflowExperiment Experiment);
internal sealed record SearchExperiments(int? MaxResults, string? PageToken, string? Filter, IReadOnlyList<string>? OrderBy, string? ViewType);
internal sealed record SearchExperimentsResponse(IReadOnlyList<MlflowExperiment> Experiments, string? NextPageToken);
internal sealed record ExperimentIdRequest(string? ExperimentId);
internal sealed record UpdateExperiment(string? ExperimentId, string? NewName);
internal sealed record SetExperimentTag(string? ExperimentId, string? Key, string? Value);

internal sealed record CreateRun(string? ExperimentId, string? UserId, string? RunName, long? StartTime, IReadOnlyList<MlflowTag>? Tags);
internal sealed record RunResponse(MlflowRun Run);
internal sealed record UpdateRun(string? RunId, string? RunUuid, string? Status, long? EndTime, string? RunName);
internal sealed record UpdateRunResponse(MlflowRunInfo RunInfo);
internal sealed record RunIdRequest(string? RunId);
internal sealed record SearchRuns(IReadOnlyList<string>? ExperimentIds, string? Filter, string? RunViewType, int? MaxResults, IReadOnlyList<string>? OrderBy, string? PageToken);
internal sealed record SearchRunsResponse(IReadOnlyList<MlflowRun> Runs, string? NextPageToken);
internal sealed record LogMetric(string? RunId, string? RunUuid, string? Key, double? Value, long? Timestamp, long? Step);
internal sealed record LogParam(string? RunId, string? RunUuid, string? Key, string? Value);
internal sealed record SetTag(string? RunId, string? RunUuid, string? Key, string? Value);
internal sealed record DeleteTag(string? RunId, string? Key);
internal sealed record LogBatch(string? RunId, IReadOnlyList<MlflowMetric>? Metrics, IReadOnlyList<MlflowParam>? Params, IReadOnlyList<MlflowTag>? Tags);
internal sealed record LogModel(string? RunId, string? ModelJson);
internal sealed record LogInputs(string? RunId, IReadOnlyList<MlflowDatasetInput>? Datasets);
internal sealed record MetricHistoryResponse(IReadOnlyList<MlflowMetric> Metrics, string? NextPageToken);
internal sealed record ListArtifactsResponse(string? RootUri, IReadOnlyList<MlflowFileInfo> Files, string? NextPageToken);

internal sealed record CreateRegisteredModel(string? Name, IReadOnlyList<MlflowTag>? Tags, string? Description);
internal sealed record RegisteredModelResponse(MlflowRegisteredModel RegisteredModel);
internal sealed record SearchRegisteredModelsResponse(IReadOnlyList<MlflowRegisteredModel> RegisteredModels, string? NextPageToken);
internal sealed record ModelNameRequest(string? Name);
internal sealed record UpdateRegisteredModel(string? Name, string? Description);
internal sealed record GetLatestVersions(string? Name, IReadOnlyList<string>? Stages);
internal sealed record ModelVersionsResponse(IReadOnlyList<MlflowModelVersion> ModelVersions, string? NextPageToken = null);
internal sealed record CreateModelVersion(string? Name, string? Source, string? RunId, IReadOnlyList<MlflowTag>? Tags, string? RunLink, string? Description);
internal sealed record ModelVersionResponse(MlflowModelVersion ModelVersion);
internal sealed record ModelVersionRequest(string? Name, string? Version);
internal sealed record UpdateModelVersion(string? Name, string? Version, string? Description);
internal sealed record SetRegisteredModelAlias(string? Name, string? Alias, string? Version);
internal sealed record DeleteRegisteredModelAlias(string? Name, string? Alias);
