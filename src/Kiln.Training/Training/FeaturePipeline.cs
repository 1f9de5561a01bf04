using Kiln.Inference.MlNet;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;

namespace Kiln.Training.Training;

/// <summary>
/// Turns the two input vectors into one <c>Features</c> vector: missing numbers become the training
/// mean of their slot; each categorical slot becomes a one-hot block (an unseen category at predict
/// time is all zeros, not an error), keeping only the (slot, category) pairs seen in training.
/// Linear learners also get the features scaled to unit variance.
/// </summary>
internal static class FeaturePipeline
{
    public const string FeaturesColumn = "Features";
    private const string NumericFilled = "NumericFilled";
    private const string CategoricalOneHot = "CategoricalOneHot";

    public static IEstimator<ITransformer> Create(MLContext ml, FeatureSet features, bool normalize)
    {
        IEstimator<ITransformer> pipeline = new EstimatorChain<ITransformer>();
        var parts = new List<string>(2);
        if (features.Numeric.Length > 0)
        {
            pipeline = pipeline.Append(ml.Transforms.ReplaceMissingValues(NumericFilled, MlNetFeatureRow.NumericColumn, MissingValueReplacingEstimator.ReplacementMode.Mean));
            parts.Add(NumericFilled);
        }

        if (features.Categorical.Length > 0)
        {
            // One dictionary serves every slot, so the indicator output has slots × categories entries;
            // most pairs never occur (job=married), and counting drops them.
            pipeline = pipeline
                .Append(ml.Transforms.Categorical.OneHotEncoding(CategoricalOneHot, MlNetFeatureRow.CategoricalColumn, OneHotEncodingEstimator.OutputKind.Indicator))
                .Append(ml.Transforms.FeatureSelection.SelectFeaturesBasedOnCount(CategoricalOneHot, count: 1));
            parts.Add(CategoricalOneHot);
        }

        pipeline = pipeline.Append(ml.Transforms.Concatenate(FeaturesColumn, parts.ToArray()));
        if (normalize)
        {
            pipeline = pipeline.Append(ml.Transforms.NormalizeMeanVariance(FeaturesColumn));
        }

        return pipeline;
    }
}
