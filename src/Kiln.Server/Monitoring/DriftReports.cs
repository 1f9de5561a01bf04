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
        var (from, model, modelVersion, buckets) = await ReadAsync(deployment, since, until, version, cancellationToken);
        var manifest = (await registry.GetVersionAsync(model, modelVersion, cancellationToken))?.Manifest;
        return await ReportAsync(deployment, model, modelVersion, from, until, Merge(buckets), manifest?.Profile, options, cancellationToken);
    }

    /// <summary>
    /// The drift report over the range and its dataset drift window by window, from one read of the stored profile
    /// buckets (each parsed once): what the dashboard's monitoring page shows. The history is null without a profile.
    /// </summary>
    public async Task<(DriftReport Report, DriftHistory? History)> BuildWithHistoryAsync(
        string deployment, DateTimeOffset since, DateTimeOffset until, TimeSpan window, DriftOptions options, CancellationToken cancellationToken)
    {
        var windowMs = WindowMs(since, until, window);
        var (from, model, modelVersion, buckets) = await ReadAsync(deployment, since, until, null, cancellationToken);
        var reference = (await registry.GetVersionAsync(model, modelVersion, cancellationToken))?.Manifest.Profile;
        if (reference is null)
        {
            return (await ReportAsync(deployment, model, modelVersion, from, until, Merge(buckets), null, options, cancellationToken), null);
        }

        var (windows, current) = Windows(buckets, reference, from.ToUnixTimeMilliseconds(), windowMs, until, options);
        var report = await ReportAsync(deployment, model, modelVersion, from, until, current, reference, options, cancellationToken);
        var history = new DriftHistory(deployment, model, modelVersion, DurationText.Format(TimeSpan.FromMilliseconds(windowMs)), options.DatasetDriftShare, windows);
        return (report, history);
    }

    /// <summary>Flushes the log, then reads the buckets of the range (whole buckets: a range takes every bucket it overlaps) of the version the report is about.</summary>
    private async Task<(DateTimeOffset Since, string Model, int Version, IReadOnlyList<StoredSketch> Buckets)> ReadAsync(
        string deployment, DateTimeOffset since, DateTimeOffset until, int? version, CancellationToken cancellationToken)
    {
        if (since >= until)
        {
            throw KilnException.Invalid("since", "must be before until.");
        }

        await writer.FlushAsync(cancellationToken);
        since = DateTimeOffset.FromUnixTimeMilliseconds(since.ToUnixTimeMilliseconds() / _bucketMs * _bucketMs);
        var buckets = await sketches.ReadAsync(deployment, since, until, version, cancellationToken);
        var (model, modelVersion) = ResolveVersion(deployment, version, buckets);
        return (since, model, modelVersion, buckets.Where(b => b.ModelVersion == modelVersion && b.ModelName == model).ToArray());
    }

    private async Task<DriftReport> ReportAsync(
        string deployment, string model, int modelVersion, DateTimeOffset since, DateTimeOffset until, ProfileSketch? current, DataProfile? reference, DriftOptions options, CancellationToken cancellationToken)
    {
        var notes = new List<string>();
        if (current is null)
        {
            notes.Add($"No logged traffic of {model}/{modelVersion} between {since:O} and {until:O}.");
        }

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
        var windowMs = WindowMs(since, until, window);
        var (from, model, modelVersion, buckets) = await ReadAsync(deployment, since, until, version, cancellationToken);
        var reference = (await registry.GetVersionAsync(model, modelVersion, cancellationToken))?.Manifest.Profile
            ?? throw KilnException.Conflict($"{model}/{modelVersion} has no training-data profile to measure drift against; add one with `kiln models profile {model}/{modelVersion} --data FILE`.");
        var (windows, _) = Windows(buckets, reference, from.ToUnixTimeMilliseconds(), windowMs, until, options);
        return new DriftHistory(deployment, model, modelVersion, DurationText.Format(TimeSpan.FromMilliseconds(windowMs)), options.DatasetDriftShare, windows);
    }

    /// <summary>The window length in whole profile buckets, after checking the range splits into at most <see cref="MaxWindows"/>.</summary>
    private long WindowMs(DateTimeOffset since, DateTimeOffset until, TimeSpan window)
    {
        var windowMs = Math.Max(1, (long)Math.Ceiling(window.TotalMilliseconds / _bucketMs)) * _bucketMs;
        if ((until - since).TotalMilliseconds / windowMs > MaxWindows)
        {
            throw KilnException.Invalid("window", $"splits the range into more than {MaxWindows} windows; choose a longer window or a shorter range.");
        }

        return windowMs;
    }

    /// <summary>Dataset drift per window (windows start at whole multiples of the window after <paramref name="sinceMs"/>), and the merge of every window.</summary>
    private static (DriftWindow[] Windows, ProfileSketch? All) Windows(
        IReadOnlyList<StoredSketch> buckets, DataProfile reference, long sinceMs, long windowMs, DateTimeOffset until, DriftOptions options)
    {
        var windows = new List<DriftWindow>();
        ProfileSketch? all = null;
        foreach (var group in buckets.GroupBy(b => (b.BucketStartMs - sinceMs) / windowMs).OrderBy(g => g.Key))
        {
            var current = Merge(group.ToArray())!;
            var drift = DriftDetector.Dataset(reference, current, options);
            var start = sinceMs + (group.Key * windowMs);
            windows.Add(new DriftWindow(
                DateTimeOffset.FromUnixTimeMilliseconds(start), DateTimeOffset.FromUnixTimeMilliseconds(Math.Min(start + windowMs, until.ToUnixTimeMilliseconds())),
                current.Rows, drift.Drifted, drift.DriftedShare, drift.Features.Where(f => f.Drifted).Select(f => f.Name).ToArray()));

            // The window's numbers are taken: its sketch may now absorb the next windows'.
            if (all is null)
            {
                all = current;
            }
            else
            {
                all.Merge(current);
            }
        }

        return ([.. windows], all);
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
