using Kiln.Training.Data;
using Microsoft.ML;

namespace Kiln.Training.Training;

/// <summary>
/// The featurized data of a sweep, prepared once and shared by its trials: each featurizer (one for
/// trees, one that also normalizes for linear models) is fitted on the training split, and the
/// featurized training rows are cached in memory, since L-BFGS passes over them many times.
/// Trials only read it, so several can run at once.
/// </summary>
internal sealed class TrainingSession
{
    private TrainingSession(PreparedFeatures? trees, PreparedFeatures? linear)
    {
        Trees = trees;
        Linear = linear;
    }

    public PreparedFeatures? Trees { get; }

    public PreparedFeatures? Linear { get; }

    public static TrainingSession Prepare(MLContext ml, FeatureSet features, IDataView training, IDataView validation, IReadOnlyCollection<string> algorithms)
    {
        var needsTrees = algorithms.Any(a => a != SweepAlgorithms.LogReg);
        var needsLinear = algorithms.Contains(SweepAlgorithms.LogReg);
        return new TrainingSession(
            needsTrees ? PreparedFeatures.Fit(ml, features, training, validation, normalize: false) : null,
            needsLinear ? PreparedFeatures.Fit(ml, features, training, validation, normalize: true) : null);
    }

    public PreparedFeatures For(string algorithm) => (algorithm == SweepAlgorithms.LogReg ? Linear : Trees)
        ?? throw new InvalidOperationException($"No features were prepared for {algorithm}.");
}

/// <summary>A fitted featurizer with the training rows (cached) and validation rows it produced.</summary>
internal sealed record PreparedFeatures(ITransformer Featurizer, IDataView Training, IDataView Validation)
{
    public static PreparedFeatures Fit(MLContext ml, FeatureSet features, IDataView training, IDataView validation, bool normalize)
    {
        var featurizer = FeaturePipeline.Create(ml, features, normalize).Fit(training);
        var cached = ml.Data.Cache(featurizer.Transform(training), TrainingViews.LabelColumn, FeaturePipeline.FeaturesColumn);
        Fill(cached);
        return new PreparedFeatures(featurizer, cached, featurizer.Transform(validation));
    }

    /// <summary>Reads the cache through once, so that trials running side by side find it complete.</summary>
    private static void Fill(IDataView cached)
    {
        var columns = new[] { cached.Schema[TrainingViews.LabelColumn], cached.Schema[FeaturePipeline.FeaturesColumn] };
        using var cursor = cached.GetRowCursor(columns);
        while (cursor.MoveNext())
        {
        }
    }
}
