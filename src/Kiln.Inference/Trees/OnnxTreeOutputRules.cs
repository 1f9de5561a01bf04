namespace Kiln.Inference.Trees;

/// <summary>ONNX's post-transforms of tree scores that the engine reproduces.</summary>
internal enum TreePostTransform : byte
{
    None,
    Logistic,
    Softmax,
    SoftmaxZero,
}

/// <summary>
/// How ONNX Runtime turns an ensemble's combined scores into a TreeEnsembleClassifier's label and
/// probabilities or a TreeEnsembleRegressor's values: base values, the post-transform, and the
/// binary-classifier conventions of its CPU kernel (tree_ensemble_aggregator.h), reproduced as they are,
/// quirks included, so that the compiled engine answers what ONNX Runtime answers.
/// </summary>
internal sealed class OnnxTreeOutputRules
{
    public required bool IsClassifier { get; init; }

    public required TreePostTransform PostTransform { get; init; }

    public required float[] BaseValues { get; init; }

    public required int TreeCount { get; init; }

    public required TreeAggregation Aggregation { get; init; }

    /// <summary>Classifier: the int64 labels, or null when the labels are strings.</summary>
    public long[]? Int64Labels { get; init; }

    /// <summary>Classifier: the string labels, or null when they are int64.</summary>
    public string[]? StringLabels { get; init; }

    /// <summary>Classifier with two labels whose weights all go to one class column.</summary>
    public bool BinaryCase { get; init; }

    /// <summary>Classifier whose weights are all ≥ 0 (ONNX Runtime then splits the binary case at 0.5).</summary>
    public bool WeightsAllPositive { get; init; }

    /// <summary>Width of the scores output: the class count, or the regressor's target count.</summary>
    public required int ScoreColumns { get; init; }

    public int ClassCount => StringLabels?.Length ?? Int64Labels?.Length ?? 0;

    /// <summary>Throws <see cref="TreeEngineNotCoveredException"/> for combinations whose ONNX Runtime output the engine does not reproduce.</summary>
    public void EnsureCovered(IReadOnlyList<TargetScoring> scoring)
    {
        if (!IsClassifier)
        {
            return;
        }

        if (ClassCount > 2)
        {
            if (BaseValues.Length > ClassCount)
            {
                throw new TreeEngineNotCoveredException($"{BaseValues.Length} base values for {ClassCount} classes");
            }

            if (Enumerable.Range(0, ClassCount).All(k => scoring[k] == TargetScoring.Never && k >= BaseValues.Length))
            {
                throw new TreeEngineNotCoveredException("no class is ever scored");
            }

            return;
        }

        var h1 = scoring[1] == TargetScoring.Always;
        var size = BaseValues.Length is 1 or 0 && !h1 ? 1 : 2;
        var written = BaseValues.Length == 0 ? 3 : -1;
        if (BinaryCase)
        {
            written = 0;
        }

        if (size == 1 && written < 0)
        {
            throw new TreeEngineNotCoveredException("a two-class classifier whose second probability ONNX Runtime leaves unwritten");
        }
    }

    /// <summary>
    /// Turns raw scores ([rows, targets]) into the outputs. <paramref name="scores"/> receives [rows, ScoreColumns];
    /// <paramref name="labels"/> (classifiers) receives each row's label index into the string labels, or its int64 label.
    /// </summary>
    public void Finish(ReadOnlySpan<float> raw, int rows, int targets, IReadOnlyList<TargetScoring> scoring, Span<float> scores, Span<long> labels)
    {
        var buffer = targets <= 256 ? stackalloc float[targets] : new float[targets];
        Span<bool> has = targets <= 256 ? stackalloc bool[targets] : new bool[targets];
        for (var r = 0; r < rows; r++)
        {
            var source = raw.Slice(r * targets, targets);
            var target = scores.Slice(r * ScoreColumns, ScoreColumns);
            if (!IsClassifier)
            {
                FinishRegression(source, scoring, target, buffer, has);
            }
            else if (ClassCount > 2)
            {
                labels[r] = FinishMulticlass(source, scoring, target, has);
            }
            else
            {
                labels[r] = FinishBinary(source, scoring, target);
            }
        }
    }

    private void FinishRegression(ReadOnlySpan<float> raw, IReadOnlyList<TargetScoring> scoring, Span<float> output, Span<float> values, Span<bool> has)
    {
        if (raw.Length == 1)
        {
            var origin = BaseValues.Length == 1 ? BaseValues[0] : 0f;
            output[0] = Aggregation == TreeAggregation.Average ? raw[0] / TreeCount + origin : raw[0] + origin;
            return;
        }

        var useBase = BaseValues.Length == raw.Length;
        for (var k = 0; k < raw.Length; k++)
        {
            has[k] = scoring[k] == TargetScoring.Always;
            var score = raw[k];
            if (Aggregation == TreeAggregation.Average)
            {
                score /= TreeCount;
            }

            values[k] = useBase ? score + BaseValues[k] : score;
        }

        Transform(values[..raw.Length], has[..raw.Length], output);
    }

    private long FinishMulticlass(ReadOnlySpan<float> raw, IReadOnlyList<TargetScoring> scoring, Span<float> output, Span<bool> has)
    {
        var scores = raw.Length <= 256 ? stackalloc float[raw.Length] : new float[raw.Length];
        for (var k = 0; k < raw.Length; k++)
        {
            has[k] = scoring[k] == TargetScoring.Always;
            scores[k] = raw[k];
        }

        for (var k = 0; k < BaseValues.Length; k++)
        {
            scores[k] = has[k] ? scores[k] + BaseValues[k] : BaseValues[k];
            has[k] = true;
        }

        var best = -1;
        var bestScore = 0f;
        for (var k = 0; k < raw.Length; k++)
        {
            if (has[k] && (best == -1 || scores[k] > bestScore))
            {
                best = k;
                bestScore = scores[k];
            }
        }

        Transform(scores, has[..raw.Length], output);
        return LabelAt(best);
    }

    private long FinishBinary(ReadOnlySpan<float> raw, IReadOnlyList<TargetScoring> scoring, Span<float> output)
    {
        var h0 = scoring[0] == TargetScoring.Always;
        var h1 = raw.Length > 1 && scoring[1] == TargetScoring.Always;
        var s0 = raw[0];
        var s1 = raw.Length > 1 ? raw[1] : 0f;
        var size = 2;
        var written = -1;
        switch (BaseValues.Length)
        {
            case 2 when h1:
                // ONNX Runtime adds base_values[1] to the first column's score and mirrors it (base_values[0] unused).
                s1 = BaseValues[1] + s0;
                s0 = -s1;
                break;
            case 2:
                s1 += BaseValues[1];
                s0 += BaseValues[0];
                break;
            case 1:
                s0 += BaseValues[0];
                size = h1 ? 2 : 1;
                break;
            case 0:
                written = 3;
                size = h1 ? 2 : 1;
                break;
        }

        var positive = size == 2 && h1 ? s1 : h0 ? s0 : 0f;
        long label;
        if (BinaryCase)
        {
            if (WeightsAllPositive)
            {
                (label, written) = positive > 0.5f ? (LabelAt(1), 0) : (LabelAt(0), 1);
            }
            else
            {
                (label, written) = positive > 0f ? (LabelAt(1), 2) : (LabelAt(0), 3);
            }
        }
        else
        {
            // ONNX Runtime returns the literal 1 or 0 here, not the class labels (an index for string labels).
            label = positive > 0f ? 1 : 0;
        }

        var v0 = h0 ? s0 : 0f;
        if (size == 2)
        {
            Span<float> values = [v0, h1 ? s1 : 0f];
            Span<bool> has = [true, true];
            Transform(values, has, output);
            return label;
        }

        switch (written)
        {
            case 0 or 1:
                output[0] = 1f - v0;
                output[1] = v0;
                break;
            case 2 or 3 when PostTransform == TreePostTransform.Logistic:
                output[0] = Logistic(-v0);
                output[1] = Logistic(v0);
                break;
            default:
                output[0] = -v0;
                output[1] = v0;
                break;
        }

        return label;
    }

    private long LabelAt(int index) => StringLabels is not null ? index : Int64Labels![index];

    /// <summary>ONNX Runtime's write_scores for two or more values: unscored values count as 0.</summary>
    private void Transform(ReadOnlySpan<float> values, ReadOnlySpan<bool> has, Span<float> output)
    {
        for (var k = 0; k < values.Length; k++)
        {
            output[k] = has[k] ? values[k] : 0f;
        }

        var span = output[..values.Length];
        switch (PostTransform)
        {
            case TreePostTransform.Logistic:
                for (var k = 0; k < span.Length; k++)
                {
                    span[k] = Logistic(span[k]);
                }

                break;
            case TreePostTransform.Softmax:
                Softmax(span);
                break;
            case TreePostTransform.SoftmaxZero:
                SoftmaxZero(span);
                break;
        }
    }

    internal static float Logistic(float value)
    {
        var v = 1f / (1f + MathF.Exp(-MathF.Abs(value)));
        return value < 0 ? 1f - v : v;
    }

    private static void Softmax(Span<float> values)
    {
        var max = -float.MaxValue;
        foreach (var v in values)
        {
            if (v > max)
            {
                max = v;
            }
        }

        var sum = 0f;
        for (var k = 0; k < values.Length; k++)
        {
            values[k] = MathF.Exp(values[k] - max);
            sum += values[k];
        }

        for (var k = 0; k < values.Length; k++)
        {
            values[k] /= sum;
        }
    }

    private static void SoftmaxZero(Span<float> values)
    {
        var max = -float.MaxValue;
        foreach (var v in values)
        {
            if (v > max)
            {
                max = v;
            }
        }

        var expNegMax = MathF.Exp(-max);
        var sum = 0f;
        for (var k = 0; k < values.Length; k++)
        {
            if (values[k] > 0.0000001f || values[k] < -0.0000001f)
            {
                values[k] = MathF.Exp(values[k] - max);
                sum += values[k];
            }
            else
            {
                values[k] *= expNegMax;
            }
        }

        for (var k = 0; k < values.Length; k++)
        {
            values[k] /= sum;
        }
    }
}
