using System.Data.Common;
using Kiln.Core.Monitoring;

namespace Kiln.Storage.Monitoring;

/// <summary>
/// Collects logged predictions and labels into per-minute, per-version quality buckets: what the prediction log
/// adds to the counts, what a label upload adds to the summaries, and what a stale bucket is rebuilt from. Each
/// labelled row is read as the task its own columns say (<see cref="PredictionTasks.Of"/>), with the semantics the
/// row reads of <see cref="IQualityDataSource.ReadLabelledAsync"/> use.
/// </summary>
public sealed class QualityBucketBuilder
{
    /// <summary>A bucket's length: one minute, on whole minutes since the Unix epoch.</summary>
    public const long BucketMs = 60_000;

    private readonly SortedDictionary<(long Bucket, int Version), Bucket> _buckets = [];

    /// <summary>Whether nothing was added.</summary>
    public bool IsEmpty => _buckets.Count == 0;

    /// <summary>The minute that holds <paramref name="timestampMs"/>.</summary>
    public static long BucketOf(long timestampMs) => Math.DivRem(timestampMs, BucketMs, out var rest) * BucketMs - (rest < 0 ? BucketMs : 0);

    /// <summary>Counts the logged predictions of one request.</summary>
    public void AddPredictions(long timestampMs, int version, int rows) => For(timestampMs, version).Predictions += rows;

    /// <summary>Adds one labelled prediction to its bucket's summary.</summary>
    public void AddLabel(long timestampMs, long labelledAtMs, int version, double? score, string? prediction, string? positiveLabel, string label, double? labelNumber)
    {
        var task = PredictionTasks.Of(positiveLabel is not null, prediction is not null, score is not null);
        var row = new LabelledPrediction(
            timestampMs,
            labelledAtMs,
            version,
            score ?? double.NaN,
            labelNumber ?? double.NaN,
            positiveLabel is not null && prediction == positiveLabel,
            positiveLabel is not null && label == positiveLabel,
            prediction,
            label);
        For(timestampMs, version).Summary.Add(row, task);
    }

    /// <summary>The columns <see cref="AddLabelsAsync"/> reads, in its order, for a rebuild's SELECT over <c>prediction_labels</c>.</summary>
    public const string LabelColumns = "ts, version, labelled_at, score, prediction, positive_label, label, label_num";

    /// <summary>
    /// The ranges to rebuild stale buckets in, in order: each from a stale bucket to an hour after it, taking every
    /// stale bucket it covers, so one rebuild transaction never holds the log's writes back for long.
    /// </summary>
    public static IEnumerable<(long FromMs, long ToMs)> RebuildRanges(IReadOnlyList<long> staleBuckets)
    {
        const long RebuildMs = 60 * BucketMs;
        for (var i = 0; i < staleBuckets.Count;)
        {
            var from = staleBuckets[i];
            while (i < staleBuckets.Count && staleBuckets[i] < from + RebuildMs)
            {
                i++;
            }

            yield return (from, from + RebuildMs);
        }
    }

    /// <summary>Summarises every label a reader over <see cref="LabelColumns"/> returns.</summary>
    public async Task AddLabelsAsync(DbDataReader reader, CancellationToken cancellationToken)
    {
        while (await reader.ReadAsync(cancellationToken))
        {
            AddLabel(
                reader.GetInt64(0),
                reader.GetInt64(2),
                reader.GetInt32(1),
                reader.IsDBNull(3) ? null : reader.GetDouble(3),
                reader.IsDBNull(4) ? null : reader.GetString(4),
                reader.IsDBNull(5) ? null : reader.GetString(5),
                reader.GetString(6),
                reader.IsDBNull(7) ? null : reader.GetDouble(7));
        }
    }

    /// <summary>The columns <see cref="ReadBucketsAsync"/> reads, in its order, for a SELECT over <c>quality_buckets</c>.</summary>
    public const string BucketColumns = "bucket, version, predictions, summary";

    /// <summary>The stored buckets a reader over <see cref="BucketColumns"/> returns (a bucket without labels has no summary).</summary>
    public static async Task<IReadOnlyList<BucketQuality>> ReadBucketsAsync(DbDataReader reader, CancellationToken cancellationToken)
    {
        var buckets = new List<BucketQuality>();
        while (await reader.ReadAsync(cancellationToken))
        {
            var summary = reader.IsDBNull(3) ? new QualitySummary() : QualitySummary.FromBytes((byte[])reader.GetValue(3));
            buckets.Add(new BucketQuality(reader.GetInt64(0), reader.GetInt32(1), reader.GetInt64(2), summary));
        }

        return buckets;
    }

    /// <summary>The buckets, in (bucket, version) order: the order every writer locks them in.</summary>
    public IEnumerable<BucketQuality> Buckets() => _buckets.Select(b => new BucketQuality(b.Key.Bucket, b.Key.Version, b.Value.Predictions, b.Value.Summary));

    private Bucket For(long timestampMs, int version)
    {
        var key = (BucketOf(timestampMs), version);
        if (!_buckets.TryGetValue(key, out var bucket))
        {
            _buckets[key] = bucket = new Bucket();
        }

        return bucket;
    }

    private sealed class Bucket
    {
        public long Predictions;
        public readonly QualitySummary Summary = new();
    }
}
