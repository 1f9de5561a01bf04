using System.Text.Json;
using System.Text.Json.Serialization;
using Kiln.Core.Api;
using Kiln.Core.Deployments;
using Kiln.Core.Packaging;
using Kiln.Core.Registry;
using Kiln.Core.Security;
using Kiln.Core.Tracking;

namespace Kiln.Core.Serialization;

/// <summary>Source-generated JSON for Kiln's API and stored documents: camelCase, enums as names, nulls omitted.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, UseStringEnumConverter = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ModelManifest))]
[JsonSerializable(typeof(DataProfile))]
[JsonSerializable(typeof(SetProfileResult))]
[JsonSerializable(typeof(RegisteredModel))]
[JsonSerializable(typeof(IReadOnlyList<RegisteredModel>))]
[JsonSerializable(typeof(ModelVersion))]
[JsonSerializable(typeof(IReadOnlyList<ModelVersion>))]
[JsonSerializable(typeof(Deployment))]
[JsonSerializable(typeof(IReadOnlyList<DeploymentVariant>))]
[JsonSerializable(typeof(DeploymentView))]
[JsonSerializable(typeof(IReadOnlyList<DeploymentView>))]
[JsonSerializable(typeof(DeployRequest))]
[JsonSerializable(typeof(SetAliasRequest))]
[JsonSerializable(typeof(UpdateModelRequest))]
[JsonSerializable(typeof(CreateApiKeyRequest))]
[JsonSerializable(typeof(CreatedApiKey))]
[JsonSerializable(typeof(ApiKeyInfo))]
[JsonSerializable(typeof(IReadOnlyList<ApiKeyInfo>))]
[JsonSerializable(typeof(Dictionary<string, string>))]
[JsonSerializable(typeof(Experiment))]
[JsonSerializable(typeof(IReadOnlyList<Experiment>))]
[JsonSerializable(typeof(Run))]
[JsonSerializable(typeof(IReadOnlyList<Run>))]
[JsonSerializable(typeof(RunPage))]
[JsonSerializable(typeof(RunQuery))]
[JsonSerializable(typeof(RunLog))]
[JsonSerializable(typeof(MetricPoint))]
[JsonSerializable(typeof(IReadOnlyList<MetricPoint>))]
[JsonSerializable(typeof(DatasetInput))]
[JsonSerializable(typeof(IReadOnlyList<DatasetInput>))]
[JsonSerializable(typeof(RunArtifact))]
[JsonSerializable(typeof(IReadOnlyList<RunArtifact>))]
[JsonSerializable(typeof(CreateExperimentRequest))]
[JsonSerializable(typeof(CreateRunRequest))]
[JsonSerializable(typeof(UpdateRunRequest))]
[JsonSerializable(typeof(LogInputsRequest))]
[JsonSerializable(typeof(Kiln.Core.Monitoring.GroundTruthResult))]
[JsonSerializable(typeof(GroundTruthRequest))]
[JsonSerializable(typeof(CustomMetricsRequest))]
[JsonSerializable(typeof(CustomMetricsResult))]
[JsonSerializable(typeof(IReadOnlyList<CustomMetricWindow>))]
[JsonSerializable(typeof(PredictionPage))]
[JsonSerializable(typeof(PredictionLogStatus))]
[JsonSerializable(typeof(Kiln.Core.Monitoring.Alerts.AlertRule))]
[JsonSerializable(typeof(IReadOnlyList<Kiln.Core.Monitoring.Alerts.AlertRule>))]
[JsonSerializable(typeof(Kiln.Core.Monitoring.Alerts.AlertRuleRequest))]
[JsonSerializable(typeof(Kiln.Core.Monitoring.Alerts.AlertState))]
[JsonSerializable(typeof(IReadOnlyList<Kiln.Core.Monitoring.Alerts.AlertState>))]
[JsonSerializable(typeof(Kiln.Core.Monitoring.Alerts.AlertTransition))]
[JsonSerializable(typeof(IReadOnlyList<Kiln.Core.Monitoring.Alerts.AlertTransition>))]
[JsonSerializable(typeof(Kiln.Core.Monitoring.Alerts.AlertEvent))]
[JsonSerializable(typeof(QualityReport))]
[JsonSerializable(typeof(DriftReport))]
public sealed partial class KilnJsonContext : JsonSerializerContext;
