using System.Text.Json;
using Kiln.Core.Deployments;
using Kiln.Core.Packaging;
using Kiln.Core.Serialization;
using Kiln.Core.Tracking;

namespace Kiln.Storage.Stores;

/// <summary>JSON columns of the store, written and read with the source-generated context.</summary>
internal static class StoredJson
{
    private static readonly KilnJsonContext Context = KilnJsonContext.Default;

    public static string Write(ModelManifest manifest) => JsonSerializer.Serialize(manifest, Context.ModelManifest);

    public static ModelManifest ReadManifest(string json) => JsonSerializer.Deserialize(json, Context.ModelManifest)!;

    public static string Write(IReadOnlyList<DeploymentVariant> variants) => JsonSerializer.Serialize(variants, Context.IReadOnlyListDeploymentVariant);

    public static IReadOnlyList<DeploymentVariant> ReadVariants(string json) => JsonSerializer.Deserialize(json, Context.IReadOnlyListDeploymentVariant)!;

    public static string? Write(CanaryRollout? canary) => canary is null ? null : JsonSerializer.Serialize(canary, Context.CanaryRollout);

    public static CanaryRollout? ReadCanary(string? json) => json is null ? null : JsonSerializer.Deserialize(json, Context.CanaryRollout);

    public static string Write(IReadOnlyDictionary<string, string>? tags) =>
        JsonSerializer.Serialize(tags is null ? [] : new Dictionary<string, string>(tags), Context.DictionaryStringString);

    public static string Write(IReadOnlyList<DatasetInput> inputs) => JsonSerializer.Serialize(inputs, Context.IReadOnlyListDatasetInput);

    public static IReadOnlyList<DatasetInput> ReadInputs(string json) => JsonSerializer.Deserialize(json, Context.IReadOnlyListDatasetInput) ?? [];

    public static Dictionary<string, string> ReadTags(string json) => JsonSerializer.Deserialize(json, Context.DictionaryStringString) ?? [];
}
