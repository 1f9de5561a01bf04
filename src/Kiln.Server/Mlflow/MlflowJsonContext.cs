using System.Text.Json.Serialization;

namespace Kiln.Server.Mlflow;

/// <summary>
/// MLflow's JSON: snake_case, nulls left out (as protobuf leaves out unset fields), NaN and
/// infinities as MLflow's clients send them, numbers accepted as strings (protobuf's int64 form).
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.AllowReadingFromString | JsonNumberHandling.AllowNamedFloatingPointLiterals)]
[JsonSerializable(typeof(MlflowEmpty))]
[JsonSerializable(typeof(CreateExperiment))]
[JsonSerializable(typeof(CreateExperimentResponse))]
[JsonSerializable(typeof(ExperimentResponse))]
[JsonSerializable(typeof(SearchExperiments))]
[JsonSerializable(typeof(SearchExperimentsResponse))]
[JsonSerializable(typeof(ExperimentIdRequest))]
[JsonSerializable(typeof(UpdateExperiment))]
[JsonSerializable(typeof(SetExperimentTag))]
[JsonSerializable(typeof(CreateRun))]
[JsonSerializable(typeof(RunResponse))]
[JsonSerializable(typeof(UpdateRun))]
[JsonSerializable(typeof(UpdateRunResponse))]
[JsonSerializable(typeof(RunIdRequest))]
[JsonSerializable(typeof(SearchRuns))]
[JsonSerializable(typeof(SearchRunsResponse))]
[JsonSerializable(typeof(LogMetric))]
[JsonSerializable(typeof(LogParam))]
[JsonSerializable(typeof(SetTag))]
[JsonSerializable(typeof(DeleteTag))]
[JsonSerializable(typeof(LogBatch))]
[JsonSerializable(typeof(LogInputs))]
[JsonSerializable(typeof(LogModel))]
[JsonSerializable(typeof(MetricHistoryResponse))]
[JsonSerializable(typeof(ListArtifactsResponse))]
[JsonSerializable(typeof(CreateRegisteredModel))]
[JsonSerializable(typeof(RegisteredModelResponse))]
[JsonSerializable(typeof(SearchRegisteredModelsResponse))]
[JsonSerializable(typeof(ModelNameRequest))]
[JsonSerializable(typeof(UpdateRegisteredModel))]
[JsonSerializable(typeof(GetLatestVersions))]
[JsonSerializable(typeof(ModelVersionsResponse))]
[JsonSerializable(typeof(CreateModelVersion))]
[JsonSerializable(typeof(ModelVersionResponse))]
[JsonSerializable(typeof(ModelVersionRequest))]
[JsonSerializable(typeof(UpdateModelVersion))]
[JsonSerializable(typeof(SetRegisteredModelAlias))]
[JsonSerializable(typeof(DeleteRegisteredModelAlias))]
internal sealed partial class MlflowJsonContext : JsonSerializerContext;
