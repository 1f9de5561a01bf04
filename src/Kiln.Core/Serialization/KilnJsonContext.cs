using System.Text.Json;
using System.Text.Json.Serialization;
using Kiln.Core.Api;
using Kiln.Core.Deployments;
using Kiln.Core.Packaging;
using Kiln.Core.Registry;
using Kiln.Core.Security;

namespace Kiln.Core.Serialization;

/// <summary>Source-generated JSON for Kiln's API and stored documents: camelCase, enums as names, nulls omitted.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, UseStringEnumConverter = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ModelManifest))]
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
public sealed partial class KilnJsonContext : JsonSerializerContext;
