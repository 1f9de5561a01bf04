using Kiln.Core;
using Kiln.Core.Api;
using Kiln.Core.Monitoring;
using Kiln.Monitoring.PredictionLog;
using Kiln.Monitoring.Quality;

namespace Kiln.Server.Monitoring;

/// <summary>Builds quality reports: flushes the log, reads the labelled predictions and prediction counts, computes the windows.</summary>
internal sealed class QualityReports(IQualityDataSource data, PredictionLogWriter writer, TimeProvider time)
{
    public const int MaxWindows = 10_000;

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
        // The labelled rows and the per-window counts are two independent scans of the same range: run them side by side.
        var countsTask = last is null
            ? Task.Run(() => data.CountAsync(deployment, since, until, window ?? (until - since + TimeSpan.FromMilliseconds(1)), version, cancellationToken), cancellationToken)
            : null;
        var labelled = await data.ReadLabelledAsync(deployment, since, until, version, task, cancellationToken);
        IReadOnlyList<PredictionCount> counts;
        if (last is { } n)
        {
            // The last N labelled predictions form one window; coverage then speaks of those rows only.
            var tail = labelled.Skip(Math.Max(0, labelled.Count - n)).ToArray();
            labelled = tail;
            since = tail.Length == 0 ? since : DateTimeOffset.FromUnixTimeMilliseconds(tail[0].TimestampMs);
            counts = tail.GroupBy(r => r.ModelVersion).Select(g => new PredictionCount(since.ToUnixTimeMilliseconds(), g.Key, g.LongCount(), g.LongCount())).ToArray();
            window = null;
        }
        else
        {
            counts = await countsTask!;
        }

        var (overall, versions) = QualityCalculator.Compute(task, labelled, counts, since, until, window);
        return new QualityReport(deployment, task.ToString().ToLowerInvariant(), since, until, window is { } w ? DurationText.Format(w) : null, last, overall, versions);
    }

    public DateTimeOffset Now => time.GetUtcNow();
}
