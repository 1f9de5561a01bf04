using Kiln.Core.Packaging;
using Kiln.Core.Tensors;

namespace Kiln.Inference.Trees;

/// <summary>
/// The interface Kiln serves a tree library's own model file with (XGBoost, LightGBM): one FP32 input
/// <c>input [rows, features]</c>, its columns the model's feature names; a classifier answers <c>label</c> (INT64) and
/// <c>probabilities</c> (FP32 <c>[rows, classes]</c>, as the library's predict_proba), anything else <c>prediction</c>
/// (FP32 <c>[rows]</c>, as its Booster.predict).
/// </summary>
internal static class NativeTreeSignature
{
    public const string InputName = "input";
    public const string LabelOutput = "label";
    public const string ProbabilitiesOutput = "probabilities";
    public const string PredictionOutput = "prediction";

    /// <summary>The signature of a model reading <paramref name="featureCount"/> features (named <paramref name="featureNames"/> when known) with <paramref name="classes"/> classes, or 0 for one value per row.</summary>
    public static ModelSignature Of(int featureCount, IReadOnlyList<string>? featureNames, int classes)
    {
        var input = new TensorSpec(InputName, TensorDataType.Fp32, [-1, featureCount]) { Columns = featureNames };
        TensorSpec[] outputs = classes > 0
            ?
            [
                new TensorSpec(LabelOutput, TensorDataType.Int64, [-1]),
                new TensorSpec(ProbabilitiesOutput, TensorDataType.Fp32, [-1, classes]) { Kind = TensorSpec.ProbabilityMapKind },
            ]
            : [new TensorSpec(PredictionOutput, TensorDataType.Fp32, [-1])];
        return new ModelSignature([input], outputs);
    }
}
