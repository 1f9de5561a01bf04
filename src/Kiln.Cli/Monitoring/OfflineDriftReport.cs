using System.Text.Json;
using System.Text.Json.Serialization;
using Kiln.Monitoring.Statistics;

namespace Kiln.Cli.Monitoring;

/// <summary>The JSON document of <c>kiln monitor drift --reference --current --output json</c>.</summary>
/// <param name="Drifted">Whether the dataset drifted.</param>
/// <param name="DriftedShare">Share of the compared features that drifted.</param>
/// <param name="DriftedFeatures">How many features drifted.</param>
/// <param name="Features">One verdict per compared feature, in reference column order.</param>
internal sealed record OfflineDriftReport(bool Drifted, double DriftedShare, int DriftedFeatures, IReadOnlyList<OfflineFeatureDrift> Features)
{
    public static OfflineDriftReport From(DatasetDrift drift) => new(
        drift.Drifted,
        drift.DriftedShare,
        drift.Features.Count(f => f.Drifted),
        [.. drift.Features.Select(f => new OfflineFeatureDrift(f.Name, f.Kind, OfflineDrift.MethodName(f.Method), f.Statistic, f.PValue, f.Threshold, f.Drifted, f.ReferenceCount, f.CurrentCount))]);
}

/// <summary>One feature of an <see cref="OfflineDriftReport"/>; the method in the spelling <c>--method</c> takes.</summary>
internal sealed record OfflineFeatureDrift(
    string Name, string Kind, string Method, double Statistic, double? PValue, double Threshold, bool Drifted, long ReferenceCount, long CurrentCount);

/// <summary>Source-generated JSON for the CLI's own documents (Kiln.Core's context covers the API's).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(OfflineDriftReport))]
internal sealed partial class CliJsonContext : JsonSerializerContext;
