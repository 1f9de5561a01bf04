using Kiln.Core;
using Kiln.Core.Tensors;

namespace Kiln.Inference.MlNet;

/// <summary>
/// The output tensors of an mlnet model from its scores, whichever engine made them: <c>label</c> and
/// <c>probabilities</c> for classifiers, <c>prediction</c> for regression.
/// </summary>
internal static class MlNetOutputs
{
    /// <summary>
    /// Builds the outputs named in <paramref name="names"/> from <paramref name="scores"/> ([rows, width]) and
    /// <paramref name="labels"/> (each row's class index); a name the task does not give is a bad request.
    /// </summary>
    public static InferenceResult Build(MlNetFlavorOptions options, int width, IReadOnlyList<string> names, IReadOnlyList<string> allOutputs, int rows, float[] scores, int[] labels)
    {
        var tensors = new Tensor[names.Count];
        for (var i = 0; i < tensors.Length; i++)
        {
            tensors[i] = Output(options, width, names[i], rows, scores, labels)
                ?? throw KilnException.Invalid("outputs", $"'{names[i]}' is not an output of this model; it has {string.Join(", ", allOutputs)}.");
        }

        return new InferenceResult(tensors);
    }

    private static Tensor? Output(MlNetFlavorOptions options, int width, string name, int rows, float[] scores, int[] labels) => (options.Task, name) switch
    {
        (MlNetFlavorOptions.RegressionTask, MlNetFlavorOptions.PredictionOutput) => new Tensor(name, TensorDataType.Fp32, [rows], scores, rows),
        (MlNetFlavorOptions.RegressionTask, _) => null,
        (_, MlNetFlavorOptions.LabelOutput) => new Tensor(name, TensorDataType.Bytes, [rows], LabelsOf(options, rows, labels), rows),
        (_, MlNetFlavorOptions.ProbabilitiesOutput) => new Tensor(name, TensorDataType.Fp32, [rows, width], scores, scores.Length) { Labels = options.ClassLabels },
        _ => null,
    };

    /// <summary>The class labels of each row's predicted class.</summary>
    private static string[] LabelsOf(MlNetFlavorOptions options, int rows, int[] labels)
    {
        var names = options.ClassLabels;
        var result = new string[rows];
        for (var r = 0; r < rows; r++)
        {
            result[r] = names[labels[r]];
        }

        return result;
    }

    /// <summary>The first class of highest score, as ML.NET's own predicted label is.</summary>
    public static int ArgMax(ReadOnlySpan<float> scores)
    {
        var best = 0;
        for (var c = 1; c < scores.Length; c++)
        {
            if (scores[c] > scores[best])
            {
                best = c;
            }
        }

        return best;
    }

    /// <summary>
    /// A binary model's row from its positive-class probability: [1 - p, p], labelled positive when p exceeds 0.5.
    /// (ML.NET's own predicted label thresholds the raw score, which after Platt calibration is not P = 0.5.)
    /// </summary>
    public static int Binary(float probability, Span<float> scores)
    {
        scores[0] = 1f - probability;
        scores[1] = probability;
        return probability > 0.5f ? 1 : 0;
    }
}
