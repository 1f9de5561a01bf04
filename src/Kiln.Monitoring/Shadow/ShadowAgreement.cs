using System.Collections.Concurrent;
using Kiln.Core.Api;
using Kiln.Core.Tensors;
using Kiln.Monitoring.PredictionLog;
using Kiln.Monitoring.Sketches;

namespace Kiln.Monitoring.Shadow;

/// <summary>
/// How a shadow's answers compare with the primary's on the same rows, per deployment, shadow version and
/// minute: rows compared, rows whose predicted class agrees, and the distribution of the score difference
/// (shadow − primary) as a mergeable sketch. Memory is bounded by the window kept.
/// </summary>
public sealed class ShadowAgreement(TimeProvider time)
{
    private static readonly long BucketMs = (long)TimeSpan.FromMinutes(1).TotalMilliseconds;
    private static readonly TimeSpan Kept = TimeSpan.FromDays(1);

    private readonly ConcurrentDictionary<(string Deployment, string Model, int Version), SortedList<long, Bucket>> _series = new();

    /// <summary>Compares a primary's and a shadow's outputs for the same <paramref name="rows"/> rows.</summary>
    public void Record(string deployment, string shadowModel, int shadowVersion, InferenceResult primary, InferenceResult shadow, int rows)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var series = _series.GetOrAdd((deployment, shadowModel, shadowVersion), _ => []);
        lock (series)
        {
            var start = now / BucketMs * BucketMs;
            if (!series.TryGetValue(start, out var bucket))
            {
                bucket = new Bucket();
                series.Add(start, bucket);
                while (series.Count > 0 && series.Keys[0] < now - (long)Kept.TotalMilliseconds)
                {
                    series.RemoveAt(0);
                }
            }

            for (var row = 0; row < rows; row++)
            {
                var a = PredictionReading.Read(primary, rows, row);
                var b = PredictionReading.Read(shadow, rows, row);
                bucket.Rows++;
                if (a.Prediction is not null && b.Prediction is not null)
                {
                    bucket.Labelled++;
                    bucket.Agreed += a.Prediction == b.Prediction ? 1 : 0;
                }

                if (a.Score is { } x && b.Score is { } y)
                {
                    bucket.Differences.Add(y - x);
                }
            }
        }
    }

    /// <summary>
    /// The comparisons of a deployment's shadows over [<paramref name="since"/>, now): one entry per shadow version, or with
    /// <paramref name="window"/> one per shadow version and window (whole minutes), oldest first.
    /// </summary>
    public IReadOnlyList<ShadowWindow> Read(string deployment, DateTimeOffset since, TimeSpan? window = null)
    {
        var from = since.ToUnixTimeMilliseconds() / BucketMs * BucketMs;
        var size = window is { } w ? Math.Max(BucketMs, (long)w.TotalMilliseconds / BucketMs * BucketMs) : long.MaxValue;
        var windows = new List<ShadowWindow>();
        foreach (var ((name, model, version), series) in _series)
        {
            if (name != deployment)
            {
                continue;
            }

            lock (series)
            {
                Summary? current = null;
                foreach (var (start, bucket) in series)
                {
                    if (start < from)
                    {
                        continue;
                    }

                    var windowStart = size == long.MaxValue ? from : from + ((start - from) / size * size);
                    if (current is null || current.Start != windowStart)
                    {
                        if (current is not null)
                        {
                            windows.Add(current.ToWindow(model, version));
                        }

                        current = new Summary(windowStart);
                    }

                    current.Add(bucket);
                }

                windows.Add((current ?? new Summary(from)).ToWindow(model, version));
            }
        }

        return windows;
    }

    private sealed class Summary(long start)
    {
        private long _rows;
        private long _labelled;
        private long _agreed;
        private readonly QuantileSketch _differences = new();

        public long Start { get; } = start;

        public void Add(Bucket bucket)
        {
            _rows += bucket.Rows;
            _labelled += bucket.Labelled;
            _agreed += bucket.Agreed;
            _differences.Merge(bucket.Differences);
        }

        public ShadowWindow ToWindow(string model, int version) => new(
            model, version, DateTimeOffset.FromUnixTimeMilliseconds(Start), _rows, _labelled == 0 ? null : (double)_agreed / _labelled,
            _differences.Count == 0 ? null : _differences.Mean,
            _differences.Count == 0 ? null : _differences.Quantile(0.05),
            _differences.Count == 0 ? null : _differences.Quantile(0.5),
            _differences.Count == 0 ? null : _differences.Quantile(0.95));
    }

    private sealed class Bucket
    {
        public long Rows { get; set; }

        public long Labelled { get; set; }

        public long Agreed { get; set; }

        public QuantileSketch Differences { get; } = new();
    }
}
