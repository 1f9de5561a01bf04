using Kiln.Core.Monitoring;
using Kiln.Core.Tensors;
using Kiln.Monitoring.PredictionLog;
using Kiln.Monitoring.Sketches;

namespace Kiln.Monitoring.Drift;

/// <summary>
/// Profiles live traffic as it is logged: per deployment, model version and time bucket, one
/// mergeable sketch per feature plus the prediction score and predicted class. Memory holds only
/// the open buckets; flushing writes them to the <see cref="ISketchStore"/>, so a drift window of
/// any length is the merge of its stored buckets and costs the same at a thousand or a million rows.
/// </summary>
public sealed class LiveProfiles : IPredictionObserver
{
    /// <summary>The column holding the prediction score (positive-class probability, top probability or regression value).</summary>
    public const string ScoreColumn = "_score";

    /// <summary>The column holding the predicted class.</summary>
    public const string PredictionColumn = "_prediction";

    private readonly ISketchStore _store;
    private readonly long _bucketMs;
    private readonly FeatureColumnCache _columns = new();
    private readonly Lock _lock = new();
    private readonly Dictionary<BucketKey, OpenBucket> _open = [];
    private readonly SemaphoreSlim _flushing = new(1, 1);
    private long _closedThroughMs = long.MinValue;

    /// <summary>Creates the profiler with buckets of <paramref name="bucket"/>.</summary>
    public LiveProfiles(ISketchStore store, TimeSpan bucket)
    {
        _store = store;
        _bucketMs = Math.Max(1000, (long)bucket.TotalMilliseconds);
    }

    /// <inheritdoc />
    public void Observe(PredictionRecord record)
    {
        var features = _columns.Of(record.Signature).All;
        var bucketStart = record.Timestamp.ToUnixTimeMilliseconds() / _bucketMs * _bucketMs;
        lock (_lock)
        {
            // A straggler for a bucket already closed joins the oldest open one rather than overwrite the stored bucket.
            if (bucketStart <= _closedThroughMs)
            {
                bucketStart = _closedThroughMs + _bucketMs;
            }

            var key = new BucketKey(record.Deployment, record.ModelName, record.ModelVersion, bucketStart);
            if (!_open.TryGetValue(key, out var bucket))
            {
                bucket = new OpenBucket(Create(record, features));
                _open[key] = bucket;
            }

            Add(bucket.Sketch, record, features);
            bucket.Dirty = true;
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// Flushes take turns: a flush that found a bucket already taken by a flush still storing it would otherwise
    /// return before that bucket is stored, and a report that flushed first would read without it.
    /// </remarks>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        await _flushing.WaitAsync(cancellationToken);
        try
        {
            await FlushDirtyAsync(cancellationToken);
        }
        finally
        {
            _flushing.Release();
        }
    }

    private async Task FlushDirtyAsync(CancellationToken cancellationToken)
    {
        await MergeStoredAsync(cancellationToken);
        List<StoredSketch> dirty = [];
        lock (_lock)
        {
            var newest = _open.Count == 0 ? 0 : _open.Keys.Max(k => k.BucketStartMs);
            foreach (var (key, bucket) in _open.ToArray())
            {
                if (bucket.Dirty)
                {
                    dirty.Add(new StoredSketch(key.Deployment, key.ModelName, key.ModelVersion, key.BucketStartMs, bucket.Sketch.Rows, bucket.Sketch.ToBytes()));
                    bucket.Dirty = false;
                }

                // Buckets two or more behind the newest are complete: stored above, they can leave memory.
                if (key.BucketStartMs <= newest - (2 * _bucketMs))
                {
                    _open.Remove(key);
                    _closedThroughMs = Math.Max(_closedThroughMs, key.BucketStartMs);
                }
            }
        }

        try
        {
            await _store.UpsertAsync(dirty, cancellationToken);
        }
        catch
        {
            // Not stored: mark them dirty again (a closed bucket comes back to memory) so the next flush retries.
            lock (_lock)
            {
                foreach (var sketch in dirty)
                {
                    var key = new BucketKey(sketch.Deployment, sketch.ModelName, sketch.ModelVersion, sketch.BucketStartMs);
                    if (_open.TryGetValue(key, out var open))
                    {
                        open.Dirty = true;
                    }
                    else
                    {
                        _open[key] = new OpenBucket(ProfileSketch.FromBytes(sketch.Data)) { Dirty = true, StoredMerged = true };
                    }
                }
            }

            throw;
        }
    }

    /// <summary>
    /// A bucket this process opened may have been stored before it started (a restart within the minute): its stored
    /// rows are merged in once, before its first flush, so that flush adds to them instead of replacing them.
    /// </summary>
    private async Task MergeStoredAsync(CancellationToken cancellationToken)
    {
        List<BucketKey> unread;
        lock (_lock)
        {
            unread = _open.Where(o => !o.Value.StoredMerged).Select(o => o.Key).ToList();
        }

        foreach (var key in unread)
        {
            var stored = await _store.ReadOwnAsync(key.Deployment, key.ModelName, key.ModelVersion, key.BucketStartMs, cancellationToken);
            var sketch = stored is null ? null : ProfileSketch.FromBytes(stored.Data);
            lock (_lock)
            {
                if (_open.TryGetValue(key, out var bucket) && !bucket.StoredMerged)
                {
                    if (sketch is not null)
                    {
                        bucket.Sketch.Merge(sketch);
                        bucket.Dirty = true;
                    }

                    bucket.StoredMerged = true;
                }
            }
        }
    }

    private static ProfileSketch Create(PredictionRecord record, IReadOnlyList<FeatureColumn> features)
    {
        var columns = new List<ColumnSketch>(features.Count + 2);
        foreach (var feature in features)
        {
            var tensor = record.Inputs.Inputs[feature.Input];
            columns.Add(tensor.DataType is TensorDataType.Bytes or TensorDataType.Bool
                ? ColumnSketch.CreateCategorical(feature.Name)
                : ColumnSketch.CreateNumeric(feature.Name));
        }

        columns.Add(ColumnSketch.CreateNumeric(ScoreColumn));
        columns.Add(ColumnSketch.CreateCategorical(PredictionColumn));
        return new ProfileSketch(columns);
    }

    private static void Add(ProfileSketch sketch, PredictionRecord record, IReadOnlyList<FeatureColumn> features)
    {
        var rows = record.Rows;
        var inputs = record.Inputs.Inputs;
        var columns = sketch.Columns;
        for (var f = 0; f < features.Count && f < columns.Count - 2; f++)
        {
            var feature = features[f];
            var tensor = inputs[feature.Input];
            var perRow = TensorValues.PerRow(tensor, rows);
            var column = columns[f];
            for (var row = 0; row < rows; row++)
            {
                var index = (row * perRow) + feature.Offset;
                if (column.Numeric is { } numeric)
                {
                    numeric.Add(TensorValues.GetDouble(tensor, index));
                }
                else
                {
                    column.Categorical!.Add(TensorValues.GetText(tensor, index));
                }
            }
        }

        var score = columns[^2].Numeric!;
        var predicted = columns[^1].Categorical!;
        for (var row = 0; row < rows; row++)
        {
            var reading = PredictionReading.Read(record.Outputs, rows, row);
            if (reading.Score is { } s)
            {
                score.Add(s);
            }

            if (reading.Prediction is { } p)
            {
                predicted.Add(p);
            }
        }

        sketch.AddRows(rows);
    }

    private readonly record struct BucketKey(string Deployment, string ModelName, int ModelVersion, long BucketStartMs);

    private sealed class OpenBucket(ProfileSketch sketch)
    {
        public ProfileSketch Sketch { get; } = sketch;

        public bool Dirty { get; set; }

        /// <summary>Whether what the store held for this bucket before this process opened it is merged in yet.</summary>
        public bool StoredMerged { get; set; }
    }
}
