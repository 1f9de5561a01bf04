using Kiln.Core.Packaging;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Kiln.Inference.MlNet;

/// <summary>
/// Binary classification: <c>probabilities</c> [rows, 2] ordered [negative, positive], and <c>label</c>,
/// positive when its probability exceeds 0.5 (<see cref="MlNetOutputs.Binary"/>).
/// </summary>
internal sealed class BinaryMlNetRuntime(MLContext ml, ITransformer model, ModelSignature signature, MlNetInputMap map, MlNetFlavorOptions options)
    : MlNetModelRuntime<BinaryMlNetRuntime.Prediction>(ml, model, signature, map, options, width: 2)
{
    public const string ProbabilityColumn = nameof(Prediction.Probability);

    protected override int Read(Prediction prediction, Span<float> scores) => MlNetOutputs.Binary(prediction.Probability, scores);

    /// <summary>The calibrated probability of the positive class, which every Kiln binary trainer adds.</summary>
    public sealed class Prediction
    {
        public float Probability { get; set; }
    }
}

/// <summary>Multiclass classification: <c>label</c> (the most probable class) and <c>probabilities</c> [rows, classes].</summary>
internal sealed class MulticlassMlNetRuntime(MLContext ml, ITransformer model, ModelSignature signature, MlNetInputMap map, MlNetFlavorOptions options)
    : MlNetModelRuntime<MulticlassMlNetRuntime.Prediction>(ml, model, signature, map, options, width: options.ClassLabels.Count)
{
    public const string ScoreColumn = nameof(Prediction.Score);

    protected override int Read(Prediction prediction, Span<float> scores)
    {
        prediction.Score.AsSpan(0, scores.Length).CopyTo(scores);
        return MlNetOutputs.ArgMax(scores);
    }


    /// <summary>The score vector a multiclass trainer adds: one probability per class.</summary>
    public sealed class Prediction
    {
        public float[] Score { get; set; } = [];
    }
}

/// <summary>Regression: <c>prediction</c> [rows].</summary>
internal sealed class RegressionMlNetRuntime(MLContext ml, ITransformer model, ModelSignature signature, MlNetInputMap map, MlNetFlavorOptions options)
    : MlNetModelRuntime<RegressionMlNetRuntime.Prediction>(ml, model, signature, map, options, width: 1)
{
    public const string ScoreColumn = nameof(Prediction.Score);

    protected override int Read(Prediction prediction, Span<float> scores)
    {
        scores[0] = prediction.Score;
        return 0;
    }

    /// <summary>The score column a regression trainer adds.</summary>
    public sealed class Prediction
    {
        public float Score { get; set; }
    }
}
