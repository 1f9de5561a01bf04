using Kiln.Core;
using Kiln.Core.Api;
using Kiln.Core.Monitoring;
using Kiln.Core.Packaging;
using Kiln.Core.Registry;
using Kiln.Inference.Serving;
using Kiln.Monitoring.Drift;
using Kiln.Monitoring.PredictionLog;
using Kiln.Monitoring.Sketches;
using Kiln.Monitoring.Statistics;
using Kiln.Server.Configuration;
using Microsoft.Extensions.Options;

namespace Kiln.Server.Monitoring;

/// <summary>
/// Builds drift reports: the window's traffic (the merge of its stored profile buckets) against the
/// version's training profile, feature by feature, and the prediction score against the version's
/// first window of traffic.
/// </summary>
internal sealed class DriftReports(ISketchStore sketches, IModelRegistry registry, DeploymentTable table, PredictionLogWriter writer, IOptions<KilnOptions> options)
{
    private readonly long _bucketMs = (long)options.Value.Monitoring.ProfileBucket.TotalMilliseconds;

    public async Task<DriftReport> BuildAsync(string deployment, DateTimeOffset since, DateTimeOffset until, int? version, DriftOptions options, CancellationToken cancellationToken)
    {
        if (since >= until)
        {
            throw KilnException.Invalid("since", "must be before until.");
        }

        await writer.FlushAsync(cancellationToken);

        // Traffic is profiled in whole buckets: a window takes every bucket it overlaps.
        since = DateTimeOffset.FromUnixTimeMilliseconds(since.ToUnixTimeMilliseconds() / _bucketMs * _bucketMs);
        var buckets = await sketches.ReadAsync(deployment, since, until, version, cancellationToken);
        var notes = new List<string>();
        var (model, modelVersion) = ResolveVersion(deployment, version, buckets);
        buckets = buckets.Where(b => b.ModelVersion == modelVersion && b.ModelName == model).ToArray();
        var current = Merge(buckets);
        if (current is null)
        {
            notes.Add($"No logged traffic of {model}/{modelVersion} between {since:O} and {until:O}.");
        }

        var manifest = (await registry.GetVersionAsync(model, modelVersion, cancellationToken))?.Manifest;
        var reference = manifest?.Profile;
        DatasetDrift? drift = null;
        if (reference is null)
        {
            notes.Add($"{model}/{modelVersion} has no training-data profile; add one with `kiln models profile {model}/{modelVersion} --data FILE`.");
        }
        else if (current is not null)
        {
            drift = DriftDetector.Dataset(reference, current, options);
            if (drift.Features.Count == 0)
            {
                notes.Add("No feature of the training profile appears in the logged traffic under the same name and kind.");
            }
        }

        var prediction = current is null ? null : await PredictionDriftAsync(deployment, model, modelVersion, since, until, current, notes, cancellationToken);
        return new DriftReport(
            deployment, model, modelVersion, since, until, reference?.Rows ?? 0, current?.Rows ?? 0,
            drift?.Drifted ?? false, drift?.DriftedShare ?? 0, options.DatasetDriftShare,
            drift?.Features.Select(f => Result(f) with { Histogram = Histogram(reference!, current!, f.Name) }).ToArray() ?? [],
            prediction is null ? null : Result(prediction), notes);
    }

    /// <summary>The most windows a drift history splits its range into.</summary>
    public const int MaxWindows = 2_000;

    /// <summary>Dataset drift window by window over [<paramref name="since"/>, <paramref name="until"/>): one read of the stored profile buckets, merged per window.</summary>
    public async Task<DriftHistory> HistoryAsync(
        string deployment, DateTimeOffset since, DateTimeOffset until, TimeSpan window, int? version, DriftOptions options, CancellationToken cancellationToken)
    {
        if (since >= until)
        {
            throw KilnException.Invalid("since", "must be before until.");
        }

        // Windows take whole profile buckets.
        var windowMs = Math.Max(1, (long)Math.Ceiling(window.TotalMilliseconds / _bucketMs)) * _bucketMs;
        since = DateTimeOffset.FromUnixTimeMilliseconds(since.ToUnixTimeMilliseconds() / _bucketMs * _bucketMs);
        if ((until - since).TotalMilliseconds / windowMs > MaxWindows)
        {
            throw KilnException.Invalid("window", $"splits the range into more than {MaxWindows} windows; choose a longer window or a shorter range.");
        }

        await writer.FlushAsync(cancellationToken);
        var buckets = await sketches.ReadAsync(deployment, since, until, version, cancellationToken);
        var (model, modelVersion) = ResolveVersion(deployment, version, buckets);
        var reference = (await registry.GetVersionAsync(model, modelVersion, cancellationToken))?.Manifest.Profile
            ?? throw KilnException.Conflict($"{model}/{modelVersion} has no training-data profile to measure drift against; add one with `kiln models profile {model}/{modelVersion} --data FILE`.");
        var sinceMs = since.ToUnixTimeMilliseconds();
        var windows = buckets
            .Where(b => b.ModelVersion == modelVersion && b.ModelName == model)
            .GroupBy(b => (b.BucketStartMs - sinceMs) / windowMs)
            .OrderBy(g => g.Key)
            .Select(g =>
            {
                var current = Merge(g.ToArray())!;
                var drift = DriftDetector.Dataset(reference, current, options);
                var start = sinceMs + (g.Key * windowMs);
                return new DriftWindow(
                    DateTimeOffset.FromUnixTimeMilliseconds(start), DateTimeOffset.FromUnixTimeMilliseconds(Math.Min(start + windowMs, until.ToUnixTimeMilliseconds())),
                    current.Rows, drift.Drifted, drift.DriftedShare, drift.Features.Where(f => f.Drifted).Select(f => f.Name).ToArray());
            })
            .ToArray();
        return new DriftHistory(deployment, model, modelVersion, DurationText.Format(TimeSpan.FromMilliseconds(windowMs)), options.DatasetDriftShare, windows);
    }

    private static FeatureHistogram? Histogram(DataProfile reference, ProfileSketch current, string feature) =>
        reference.Columns.FirstOrDefault(c => c.Name == feature) is { } column && current.Find(feature) is { } sketch
            ? DriftHistograms.For(column, sketch)
            : null;

    private async Task<FeatureDrift?> PredictionDriftAsync(
        string deployment, string model, int version, DateTimeOffset since, DateTimeOffset until, ProfileSketch current, List<string> notes, CancellationToken cancellationToken)
    {
        var history = await sketches.ReadAsync(deployment, DateTimeOffset.UnixEpoch, since, version, cancellationToken);
        history = history.Where(b => b.ModelName == model).ToArray();
        if (history.Count == 0)
        {
            notes.Add("Prediction drift needs traffic of this version from before the window (its first window is the baseline).");
            return null;
        }

        var firstMs = history[0].BucketStartMs;
        var lengthMs = (long)(until - since).TotalMilliseconds;
        var baseline = Merge(history.Where(b => b.BucketStartMs < firstMs + lengthMs).ToArray());
        if (baseline?.Find(LiveProfiles.ScoreColumn) is not { Numeric: { Count: > 0 } reference }
            || current.Find(LiveProfiles.ScoreColumn) is not { Numeric: { Count: > 0 } scores })
        {
            notes.Add("The model's outputs carry no score to test for prediction drift.");
            return null;
        }

        return DriftDetector.Numeric("prediction_score", NumericDistribution.FromSketch(reference), NumericDistribution.FromSketch(scores));
    }

    private (string Model, int Version) ResolveVersion(string deployment, int? version, IReadOnlyList<StoredSketch> buckets)
    {
        var served = table.TryGet(deployment, out var entry) ? entry : null;
        if (version is { } v)
        {
            var model = buckets.FirstOrDefault(b => b.ModelVersion == v)?.ModelName ?? served?.Model.ModelName
                ?? throw KilnException.NotFound("Deployment", deployment);
            return (model, v);
        }

        if (served is not null)
        {
            return (served.Model.ModelName, served.Model.Version);
        }

        var latest = buckets.Count > 0 ? buckets[^1] : throw KilnException.NotFound("Deployment", deployment);
        return (latest.ModelName, latest.ModelVersion);
    }

    private static ProfileSketch? Merge(IReadOnlyList<StoredSketch> buckets)
    {
        ProfileSketch? merged = null;
        foreach (var bucket in buckets)
        {
            var sketch = ProfileSketch.FromBytes(bucket.Data);
            if (merged is null)
            {
                merged = sketch;
            }
            else
            {
                merged.Merge(sketch);
            }
        }

        return merged;
    }

    private static FeatureDriftResult Result(FeatureDrift drift) => new(
        drift.Name, drift.Kind, MethodName(drift.Method), drift.Statistic, drift.PValue, drift.Threshold, drift.Drifted, drift.ReferenceCount, drift.CurrentCount);

    internal static string MethodName(DriftMethod method) => method switch
    {
        DriftMethod.KolmogorovSmirnov => "ks",
        DriftMethod.ChiSquare => "chisquare",
        DriftMethod.Wasserstein => "wasserstein",
        DriftMethod.JensenShannon => "jensenshannon",
        DriftMethod.Psi => "psi",
        _ => "auto",
    };

    internal static DriftMethod ParseMethod(string? name) => name?.ToLowerInvariant() switch
    {
        null or "" or "auto" => DriftMethod.Auto,
        "ks" => DriftMethod.KolmogorovSmirnov,
        "chisquare" => DriftMethod.ChiSquare,
        "wasserstein" => DriftMethod.Wasserstein,
        "jensenshannon" => DriftMethod.JensenShannon,
        "psi" => DriftMethod.Psi,
        _ => throw KilnException.Invalid("method", "must be auto, ks, chisquare, wasserstein, jensenshannon or psi."),
    };
}
