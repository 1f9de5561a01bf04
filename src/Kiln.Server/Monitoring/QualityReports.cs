using Kiln.Core;
using Kiln.Core.Api;
using Kiln.Core.Monitoring;
using Kiln.Monitoring.PredictionLog;
using Kiln.Monitoring.Quality;

namespace Kiln.Server.Monitoring;

/// <summary>
/// Builds quality reports: flushes the log, gathers the range's quality buckets, computes the windows. The whole
/// minutes of the range come from the stores' per-minute summaries (a thousand small rows for a thousand minutes,
/// however many predictions they hold); the part-minutes at its ends, windows that are not whole minutes, and the
/// last N labelled predictions come from the rows.
/// </summary>
internal sealed class QualityReports(IQualityDataSource data, PredictionLogWriter writer, TimeProvider time)
{
    public const int MaxWindows = 10_000;

    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    public async Task<QualityReport> BuildAsync(string deployment, TimeSpan? window, DateTimeOffset since, DateTimeOffset until, int? version, int? last, CancellationToken cancellationToken)
    {
        if (since >= until)
        {
            throw KilnException.Invalid("since", "must be before until.");
        }

        if (window is { } size && (until - since) / size > MaxWindows)
        {
            throw KilnException.Invalid("window", $"splits the range into more than {MaxWindows} windows; choose a longer window or a shorter range.");
        }

        await writer.FlushAsync(cancellationToken);
        var task = await data.DetectTaskAsync(deployment, since, until, cancellationToken);
        IReadOnlyList<BucketQuality> buckets;
        if (last is { } n)
        {
            // The last N labelled predictions form one window; coverage then speaks of those rows only.
            var tail = await data.ReadLabelledAsync(deployment, since, until, version, task, n, cancellationToken);
            since = tail.Count == 0 ? since : DateTimeOffset.FromUnixTimeMilliseconds(tail[0].TimestampMs);
            var counts = tail.GroupBy(r => r.ModelVersion).Select(g => new PredictionCount(0, g.Key, g.LongCount(), g.LongCount()));
            buckets = QualityCalculator.Bucket(task, tail, counts, long.MaxValue);
            window = null;
        }
        else if (window is null || window.Value.Ticks % Minute.Ticks == 0)
        {
            buckets = await FromSummariesAsync(deployment, task, since, until, version, cancellationToken);
        }
        else
        {
            buckets = await FromRowsAsync(deployment, task, since, until, window.Value, version, cancellationToken);
        }

        var (overall, versions) = QualityCalculator.Compute(task, buckets, since, until, window);
        return new QualityReport(deployment, task.ToString().ToLowerInvariant(), since, until, window is { } w ? DurationText.Format(w) : null, last, overall, versions);
    }

    public DateTimeOffset Now => time.GetUtcNow();

    /// <summary>Stored minutes for [first whole minute, last whole minute), rows for the part-minutes either side.</summary>
    private async Task<IReadOnlyList<BucketQuality>> FromSummariesAsync(string deployment, PredictionTask task, DateTimeOffset since, DateTimeOffset until, int? version, CancellationToken cancellationToken)
    {
        var first = Ceiling(since);
        var end = Floor(until);
        if (first >= end)
        {
            return await FromRowsAsync(deployment, task, since, until, Minute, version, cancellationToken);
        }

        var buckets = new List<BucketQuality>();
        if (since < first)
        {
            buckets.AddRange(await FromRowsAsync(deployment, task, since, first, Minute, version, cancellationToken));
        }

        buckets.AddRange(await data.ReadSummariesAsync(deployment, first, end, version, cancellationToken));
        if (end < until)
        {
            buckets.AddRange(await FromRowsAsync(deployment, task, end, until, Minute, version, cancellationToken));
        }

        return buckets;
    }

    private async Task<IReadOnlyList<BucketQuality>> FromRowsAsync(string deployment, PredictionTask task, DateTimeOffset since, DateTimeOffset until, TimeSpan bucket, int? version, CancellationToken cancellationToken)
    {
        // The labelled rows and the per-bucket counts are two independent scans of the same range: run them side by side.
        var countsTask = Task.Run(() => data.CountAsync(deployment, since, until, bucket, version, cancellationToken), cancellationToken);
        var labelled = await data.ReadLabelledAsync(deployment, since, until, version, task, last: null, cancellationToken);
        return QualityCalculator.Bucket(task, labelled, await countsTask, (long)bucket.TotalMilliseconds);
    }

    private static DateTimeOffset Floor(DateTimeOffset time) =>
        DateTimeOffset.FromUnixTimeMilliseconds(time.ToUnixTimeMilliseconds() / 60_000 * 60_000);

    private static DateTimeOffset Ceiling(DateTimeOffset time)
    {
        var floor = Floor(time);
        return floor == time ? floor : floor + Minute;
    }
}
