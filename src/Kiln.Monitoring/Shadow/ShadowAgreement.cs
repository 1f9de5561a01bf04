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

    /// <summary>The comparisons of a deployment's shadows over [<paramref name="since"/>, now).</summary>
    public IReadOnlyList<ShadowWindow> Read(string deployment, DateTimeOffset since)
    {
        var from = since.ToUnixTimeMilliseconds() / BucketMs * BucketMs;
        var windows = new List<ShadowWindow>();
        foreach (var ((name, model, version), series) in _series)
        {
            if (name != deployment)
            {
                continue;
            }

            lock (series)
            {
                long rows = 0, labelled = 0, agreed = 0;
                var differences = new QuantileSketch();
                foreach (var (start, bucket) in series)
                {
                    if (start < from)
                    {
                        continue;
                    }

                    rows += bucket.Rows;
                    labelled += bucket.Labelled;
                    agreed += bucket.Agreed;
                    differences.Merge(bucket.Differences);
                }

                windows.Add(new ShadowWindow(
                    model, version, DateTimeOffset.FromUnixTimeMilliseconds(from), rows, labelled == 0 ? null : (double)agreed / labelled,
                    differences.Count == 0 ? null : differences.Mean,
                    differences.Count == 0 ? null : differences.Quantile(0.05),
                    differences.Count == 0 ? null : differences.Quantile(0.5),
                    differences.Count == 0 ? null : differences.Quantile(0.95)));
            }
        }

        return windows;
    }

    private sealed class Bucket
    {
        public long Rows { get; set; }

        public long Labelled { get; set; }

        public long Agreed { get; set; }

        public QuantileSketch Differences { get; } = new();
    }
}
