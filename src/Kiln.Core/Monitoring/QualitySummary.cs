using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace Kiln.Core.Monitoring;

/// <summary>
/// Everything the quality metrics need from a set of labelled predictions, in a form that adds up: confusion
/// counts, per-class counts, log-loss and regression sums, label delays, and the binary scores themselves (so
/// ROC AUC stays exact, not binned). The stores keep one per deployment, minute and version, updated in the
/// transaction that applies the labels, so a report merges a thousand of these instead of reading a million rows.
/// </summary>
public sealed class QualitySummary
{
    /// <summary>Probabilities are clipped to [ε, 1 − ε] before the logarithm, as scikit-learn's log_loss does.</summary>
    public const double ProbabilityClip = 1e-15;

    private const byte Format = 1;

    private readonly Dictionary<string, ClassCounts> _classes = new(StringComparer.Ordinal);
    private List<double> _positiveScores = [];
    private List<double> _negativeScores = [];

    // Whether both score lists are in ascending order: rows are appended as they come, and sorted when first read;
    // merging keeps the order (a linear merge), so a range's scores arrive at ROC AUC sorted without a sort.
    private bool _sorted = true;

    /// <summary>Labelled predictions summarised, of every task.</summary>
    public long Labelled { get; private set; }

    /// <summary>Sum over the labelled predictions of (labelled at − scored at), in milliseconds.</summary>
    public long DelayMsSum { get; private set; }

    /// <summary>Binary: predicted positive and labelled positive.</summary>
    public long TruePositives { get; private set; }

    /// <summary>Binary: predicted positive, labelled negative.</summary>
    public long FalsePositives { get; private set; }

    /// <summary>Binary: predicted negative, labelled positive.</summary>
    public long FalseNegatives { get; private set; }

    /// <summary>Binary: predicted negative and labelled negative.</summary>
    public long TrueNegatives { get; private set; }

    /// <summary>Binary predictions without a finite score (any one of them leaves ROC AUC and log loss undefined).</summary>
    public long Unscored { get; private set; }

    /// <summary>Binary: the sum of the clipped negative log-likelihoods of the scored rows.</summary>
    public double LogLossSum { get; private set; }

    /// <summary>Binary: the scores of the rows labelled positive, in ascending order (valid until the summary changes).</summary>
    public ReadOnlySpan<double> PositiveScores() => CollectionsMarshal.AsSpan(Sorted()._positiveScores);

    /// <summary>Binary: the scores of the rows labelled negative, in ascending order (valid until the summary changes).</summary>
    public ReadOnlySpan<double> NegativeScores() => CollectionsMarshal.AsSpan(Sorted()._negativeScores);

    /// <summary>Multiclass: counts per class label (the empty string stands for a missing label or prediction).</summary>
    public IReadOnlyDictionary<string, ClassCounts> Classes => _classes;

    /// <summary>Regression: the rows with a finite label and a finite predicted value.</summary>
    public long RegressionCount { get; private set; }

    /// <summary>Regression: Σ |label − predicted|.</summary>
    public double AbsoluteErrorSum { get; private set; }

    /// <summary>Regression: Σ (label − predicted)².</summary>
    public double SquaredErrorSum { get; private set; }

    /// <summary>Regression: the mean label.</summary>
    public double LabelMean { get; private set; }

    /// <summary>Regression: Σ (label − mean)², kept by Welford's and Chan's updates so it merges without cancellation.</summary>
    public double LabelSquaredDeviations { get; private set; }

    /// <summary>The binary rows summarised.</summary>
    public long BinaryCount => TruePositives + FalsePositives + FalseNegatives + TrueNegatives;

    /// <summary>The multiclass rows summarised.</summary>
    public long MulticlassCount => _classes.Values.Sum(c => c.Actual);

    /// <summary>One labelled prediction's term of the binary log loss: the positive score is clipped first, then complemented (scikit-learn's order).</summary>
    public static double LogLossTerm(bool actualPositive, double positiveScore)
    {
        var p = Math.Clamp(positiveScore, ProbabilityClip, 1 - ProbabilityClip);
        return -Math.Log(actualPositive ? p : 1 - p);
    }

    /// <summary>Adds one labelled prediction, read as <paramref name="task"/>.</summary>
    public void Add(in LabelledPrediction row, PredictionTask task)
    {
        Labelled++;
        DelayMsSum += row.LabelledAtMs - row.TimestampMs;
        switch (task)
        {
            case PredictionTask.Binary:
                AddBinary(row.PredictedPositive, row.ActualPositive, row.Score);
                break;
            case PredictionTask.Multiclass:
                AddClasses(row.Label ?? string.Empty, row.Prediction ?? string.Empty);
                break;
            case PredictionTask.Regression:
                if (double.IsFinite(row.LabelValue) && double.IsFinite(row.Score))
                {
                    AddRegression(row.LabelValue, row.Score);
                }

                break;
        }
    }

    /// <summary>Adds everything <paramref name="other"/> summarises.</summary>
    public void Merge(QualitySummary other)
    {
        Sorted();
        other.Sorted();
        MergeCounts(other);
        _positiveScores = MergeSorted(_positiveScores, other._positiveScores);
        _negativeScores = MergeSorted(_negativeScores, other._negativeScores);
    }

    /// <summary>Adds everything of <paramref name="other"/> but its scores.</summary>
    private void MergeCounts(QualitySummary other)
    {
        Labelled += other.Labelled;
        DelayMsSum += other.DelayMsSum;
        TruePositives += other.TruePositives;
        FalsePositives += other.FalsePositives;
        FalseNegatives += other.FalseNegatives;
        TrueNegatives += other.TrueNegatives;
        Unscored += other.Unscored;
        LogLossSum += other.LogLossSum;
        foreach (var (label, counts) in other._classes)
        {
            _classes[label] = _classes.TryGetValue(label, out var mine) ? mine + counts : counts;
        }

        if (other.RegressionCount > 0)
        {
            // Chan et al.'s pairwise update of the mean and the sum of squared deviations.
            var n = RegressionCount + other.RegressionCount;
            var delta = other.LabelMean - LabelMean;
            LabelSquaredDeviations += other.LabelSquaredDeviations + (delta * delta * RegressionCount * other.RegressionCount / n);
            LabelMean += delta * other.RegressionCount / n;
            RegressionCount = n;
            AbsoluteErrorSum += other.AbsoluteErrorSum;
            SquaredErrorSum += other.SquaredErrorSum;
        }
    }

    /// <summary>
    /// Everything <paramref name="parts"/> summarise; the parts are left as they were. The scores are merged as
    /// sorted runs, pass by pass between two pooled buffers (log₂ parts passes, no sort and no per-pass allocation).
    /// </summary>
    public static QualitySummary Sum(IReadOnlyList<QualitySummary> parts)
    {
        var sum = new QualitySummary();
        foreach (var part in parts)
        {
            sum.MergeCounts(part.Sorted());
        }

        sum._positiveScores = MergeRuns(parts, p => p._positiveScores);
        sum._negativeScores = MergeRuns(parts, p => p._negativeScores);
        return sum;
    }

    /// <summary>The summary in its stored form (a versioned little-endian layout).</summary>
    public byte[] ToBytes()
    {
        Sorted();
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(Format);
            writer.Write(Labelled);
            writer.Write(DelayMsSum);
            writer.Write(TruePositives);
            writer.Write(FalsePositives);
            writer.Write(FalseNegatives);
            writer.Write(TrueNegatives);
            writer.Write(Unscored);
            writer.Write(LogLossSum);
            WriteScores(writer, _positiveScores);
            WriteScores(writer, _negativeScores);
            writer.Write(_classes.Count);
            foreach (var (label, counts) in _classes)
            {
                writer.Write(label);
                writer.Write(counts.Correct);
                writer.Write(counts.Actual);
                writer.Write(counts.Predicted);
            }

            writer.Write(RegressionCount);
            writer.Write(AbsoluteErrorSum);
            writer.Write(SquaredErrorSum);
            writer.Write(LabelMean);
            writer.Write(LabelSquaredDeviations);
        }

        return stream.ToArray();
    }

    /// <summary>Reads a summary written by <see cref="ToBytes"/>.</summary>
    /// <exception cref="InvalidDataException">The bytes are not a summary of a known format.</exception>
    public static QualitySummary FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty || bytes[0] != Format)
        {
            throw new InvalidDataException($"Not a quality summary of format {Format}.");
        }

        var summary = new QualitySummary();
        var reader = new SpanReader(bytes[1..]);
        summary.Labelled = reader.Int64();
        summary.DelayMsSum = reader.Int64();
        summary.TruePositives = reader.Int64();
        summary.FalsePositives = reader.Int64();
        summary.FalseNegatives = reader.Int64();
        summary.TrueNegatives = reader.Int64();
        summary.Unscored = reader.Int64();
        summary.LogLossSum = reader.Double();
        reader.Doubles(summary._positiveScores);
        reader.Doubles(summary._negativeScores);
        var classes = reader.Int32();
        for (var i = 0; i < classes; i++)
        {
            summary._classes[reader.String()] = new ClassCounts(reader.Int64(), reader.Int64(), reader.Int64());
        }

        summary.RegressionCount = reader.Int64();
        summary.AbsoluteErrorSum = reader.Double();
        summary.SquaredErrorSum = reader.Double();
        summary.LabelMean = reader.Double();
        summary.LabelSquaredDeviations = reader.Double();
        summary._sorted = IsAscending(summary._positiveScores) && IsAscending(summary._negativeScores);
        return summary;
    }

    private void AddBinary(bool predictedPositive, bool actualPositive, double score)
    {
        if (predictedPositive)
        {
            if (actualPositive)
            {
                TruePositives++;
            }
            else
            {
                FalsePositives++;
            }
        }
        else if (actualPositive)
        {
            FalseNegatives++;
        }
        else
        {
            TrueNegatives++;
        }

        if (!double.IsFinite(score))
        {
            Unscored++;
            return;
        }

        LogLossSum += LogLossTerm(actualPositive, score);
        var scores = actualPositive ? _positiveScores : _negativeScores;
        _sorted &= scores.Count == 0 || scores[^1] <= score;
        scores.Add(score);
    }

    private QualitySummary Sorted()
    {
        if (!_sorted)
        {
            _positiveScores.Sort();
            _negativeScores.Sort();
            _sorted = true;
        }

        return this;
    }

    private static List<double> MergeSorted(List<double> a, List<double> b)
    {
        if (b.Count == 0)
        {
            return a;
        }

        if (a.Count == 0)
        {
            return [.. b];
        }

        var merged = new List<double>(a.Count + b.Count);
        CollectionsMarshal.SetCount(merged, a.Count + b.Count);
        MergeInto(CollectionsMarshal.AsSpan(a), CollectionsMarshal.AsSpan(b), CollectionsMarshal.AsSpan(merged));
        return merged;
    }

    private static List<double> MergeRuns(IReadOnlyList<QualitySummary> parts, Func<QualitySummary, List<double>> scores)
    {
        var total = parts.Sum(p => scores(p).Count);
        var merged = new List<double>(total);
        if (total == 0)
        {
            return merged;
        }

        var from = ArrayPool<double>.Shared.Rent(total);
        var to = ArrayPool<double>.Shared.Rent(total);
        try
        {
            // Run i is [ends[i - 1], ends[i]) in from (ends[-1] = 0).
            var ends = new List<int>(parts.Count);
            var offset = 0;
            foreach (var part in parts)
            {
                var run = CollectionsMarshal.AsSpan(scores(part));
                if (run.Length > 0)
                {
                    run.CopyTo(from.AsSpan(offset));
                    offset += run.Length;
                    ends.Add(offset);
                }
            }

            while (ends.Count > 1)
            {
                var next = new List<int>((ends.Count + 1) / 2);
                for (var i = 0; i < ends.Count; i += 2)
                {
                    var start = i == 0 ? 0 : ends[i - 1];
                    if (i + 1 == ends.Count)
                    {
                        from.AsSpan(start, ends[i] - start).CopyTo(to.AsSpan(start));
                        next.Add(ends[i]);
                        continue;
                    }

                    MergeInto(from.AsSpan(start, ends[i] - start), from.AsSpan(ends[i], ends[i + 1] - ends[i]), to.AsSpan(start));
                    next.Add(ends[i + 1]);
                }

                (from, to) = (to, from);
                ends = next;
            }

            CollectionsMarshal.SetCount(merged, total);
            from.AsSpan(0, total).CopyTo(CollectionsMarshal.AsSpan(merged));
            return merged;
        }
        finally
        {
            ArrayPool<double>.Shared.Return(from);
            ArrayPool<double>.Shared.Return(to);
        }
    }

    private static void MergeInto(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> into)
    {
        int i = 0, j = 0, k = 0;
        while (i < x.Length && j < y.Length)
        {
            into[k++] = y[j] < x[i] ? y[j++] : x[i++];
        }

        x[i..].CopyTo(into[k..]);
        y[j..].CopyTo(into[(k + x.Length - i)..]);
    }

    private static bool IsAscending(List<double> values)
    {
        var span = CollectionsMarshal.AsSpan(values);
        for (var i = 1; i < span.Length; i++)
        {
            if (span[i] < span[i - 1])
            {
                return false;
            }
        }

        return true;
    }

    private void AddClasses(string label, string prediction)
    {
        var correct = label == prediction ? 1 : 0;
        Bump(label, new ClassCounts(correct, 1, 0));
        Bump(prediction, new ClassCounts(0, 0, 1));
    }

    private void Bump(string label, ClassCounts counts) =>
        _classes[label] = _classes.TryGetValue(label, out var mine) ? mine + counts : counts;

    private void AddRegression(double label, double predicted)
    {
        var error = label - predicted;
        AbsoluteErrorSum += Math.Abs(error);
        SquaredErrorSum += error * error;
        RegressionCount++;
        var delta = label - LabelMean;
        LabelMean += delta / RegressionCount;
        LabelSquaredDeviations += delta * (label - LabelMean);
    }

    private static void WriteScores(BinaryWriter writer, List<double> scores)
    {
        writer.Write(scores.Count);
        writer.Write(MemoryMarshal.AsBytes(CollectionsMarshal.AsSpan(scores)));
    }

    private ref struct SpanReader(ReadOnlySpan<byte> bytes)
    {
        private ReadOnlySpan<byte> _rest = bytes;

        public long Int64() => BinaryPrimitives.ReadInt64LittleEndian(Take(8));

        public int Int32() => BinaryPrimitives.ReadInt32LittleEndian(Take(4));

        public double Double() => BinaryPrimitives.ReadDoubleLittleEndian(Take(8));

        public void Doubles(List<double> into)
        {
            var count = Int32();
            var bytes = Take(checked(count * 8));
            CollectionsMarshal.SetCount(into, count);
            bytes.CopyTo(MemoryMarshal.AsBytes(CollectionsMarshal.AsSpan(into)));
        }

        public string String()
        {
            // BinaryWriter's 7-bit encoded length, then UTF-8.
            int length = 0, shift = 0;
            byte b;
            do
            {
                b = Take(1)[0];
                length |= (b & 0x7F) << shift;
                shift += 7;
            }
            while ((b & 0x80) != 0);
            return Encoding.UTF8.GetString(Take(length));
        }

        private ReadOnlySpan<byte> Take(int count)
        {
            if (count < 0 || count > _rest.Length)
            {
                throw new InvalidDataException("The quality summary is truncated.");
            }

            var taken = _rest[..count];
            _rest = _rest[count..];
            return taken;
        }
    }
}

/// <summary>Per-class counts of a multiclass summary.</summary>
/// <param name="Correct">Rows of this label predicted as this label.</param>
/// <param name="Actual">Rows labelled with this class.</param>
/// <param name="Predicted">Rows predicted as this class.</param>
public readonly record struct ClassCounts(long Correct, long Actual, long Predicted)
{
    /// <summary>The counts of two sets of rows together.</summary>
    public static ClassCounts operator +(ClassCounts a, ClassCounts b) => new(a.Correct + b.Correct, a.Actual + b.Actual, a.Predicted + b.Predicted);
}

/// <summary>The quality summary of one version's predictions in one time bucket, with how many were logged.</summary>
/// <param name="BucketStartMs">The bucket's start (Unix milliseconds).</param>
/// <param name="ModelVersion">The version.</param>
/// <param name="Predictions">Logged predictions in the bucket.</param>
/// <param name="Summary">Its labelled predictions, summarised.</param>
public sealed record BucketQuality(long BucketStartMs, int ModelVersion, long Predictions, QualitySummary Summary);
