using System.Buffers;
using System.Runtime.CompilerServices;
using Kiln.Core.Packaging;
using Kiln.Core.Tensors;
using Kiln.Inference.MlNet;
using Kiln.Inference.Runtime;
using Microsoft.ML.Calibrators;

namespace Kiln.Inference.Trees.MlNet;

/// <summary>
/// Serves an mlnet tree model with the compiled engine: the features made by <see cref="MlNetFeaturizer"/>, the trees
/// summed in double as ML.NET sums them, and a binary model's Platt calibration applied by ML.NET's own calibrator, so the
/// answers are ML.NET's bit for bit. The ML.NET runtime stays loaded as the reference for deployments that ask for it.
/// </summary>
internal sealed class MlNetTreeRuntime : IMlNetScorer
{
    /// <summary>Rows featurized and scored together: their features stay in cache, and the buffers stay pooled.</summary>
    private const int BlockRows = 1024;

    private readonly MlNetFeaturizer _featurizer;
    private readonly CompiledTreeEnsemble _trees;
    private readonly IReadOnlyList<PlattCalibrator> _calibrations;
    private readonly MlNetScoreRule _rule;
    private readonly MlNetInputMap _map;
    private readonly MlNetFlavorOptions _options;
    private readonly IMlNetScorer _reference;
    private readonly string[] _allOutputs;
    private readonly int _width;

    public MlNetTreeRuntime(MlNetFeaturizer featurizer, CompiledTreeEnsemble trees, MlNetTreeModel model, MlNetInputMap map, MlNetFlavorOptions options, IMlNetScorer reference)
    {
        _featurizer = featurizer;
        _trees = trees;
        _calibrations = model.Calibrations;
        _rule = model.Rule;
        _map = map;
        _options = options;
        _reference = reference;
        _allOutputs = reference.Signature.Outputs.Select(o => o.Name).ToArray();
        _width = options.Task switch
        {
            MlNetFlavorOptions.BinaryTask => 2,
            MlNetFlavorOptions.MulticlassTask => options.ClassLabels.Count,
            _ => 1,
        };
        if (_trees.TargetCount != (_rule is MlNetScoreRule.NormalizedProbabilities or MlNetScoreRule.Softmax ? _width : 1))
        {
            throw new TreeEngineNotCoveredException($"the trees score {_trees.TargetCount} classes for {_width} class labels");
        }
    }

    public ModelSignature Signature => _reference.Signature;

    public IModelRuntime ReferenceRuntime => _reference;

    public ModelEngine Engine => new(
        ModelEngine.CompiledTrees,
        $"{_trees.TreeCount} trees, {_trees.KernelName} kernel, over {_featurizer.Width} features ({_map.NumericCount} numeric inputs, {_featurizer.Indicators} category indicators)");

    public InferenceResult Predict(InferenceBatch batch, IReadOnlyList<string>? outputs)
    {
        var (scores, labels) = Score(_map.Columns(batch));
        return MlNetOutputs.Build(_options, _width, outputs is null || outputs.Count == 0 ? _allOutputs : outputs, _allOutputs, batch.Rows, scores, labels);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // a hot loop: optimised from its first call
    public (float[] Scores, int[] Labels) Score(BatchColumns columns)
    {
        var rows = columns.Rows;
        var scores = new float[rows * _width];
        var labels = new int[rows];
        var block = Math.Min(rows, BlockRows);
        var features = ArrayPool<float>.Shared.Rent(Math.Max(block, 1) * _featurizer.Width);
        var targets = _trees.TargetCount;
        var sums = ArrayPool<double>.Shared.Rent(Math.Max(block, 1) * targets);
        try
        {
            for (var first = 0; first < rows; first += BlockRows)
            {
                var count = Math.Min(BlockRows, rows - first);
                _featurizer.Fill(columns, first, count, features);
                _trees.ScoreSums(features, count, _featurizer.Width, sums);
                for (var r = 0; r < count; r++)
                {
                    var row = first + r;
                    labels[row] = Finish(sums.AsSpan(r * targets, targets), scores.AsSpan(row * _width, _width));
                }
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(features);
            ArrayPool<double>.Shared.Return(sums);
        }

        return (scores, labels);
    }

    /// <summary>One row's scores from its tree sums, as ML.NET makes them, and its class index.</summary>
    private int Finish(ReadOnlySpan<double> sums, Span<float> scores)
    {
        switch (_rule)
        {
            case MlNetScoreRule.Value:
                scores[0] = (float)sums[0];
                return 0;
            case MlNetScoreRule.Calibrated:
                return MlNetOutputs.Binary(_calibrations[0].PredictProbability((float)sums[0]), scores);
            case MlNetScoreRule.NormalizedProbabilities:
                // OneVersusAllModelParameters' NormalizeSumToOne: negatives clamped to 0, NaN left out of the sum.
                var total = 0d;
                for (var c = 0; c < scores.Length; c++)
                {
                    var p = _calibrations[c].PredictProbability((float)sums[c]);
                    scores[c] = p >= 0 || float.IsNaN(p) ? p : 0f;
                    total += float.IsNaN(p) || p < 0 ? 0 : p;
                }

                if (total > 0)
                {
                    for (var c = 0; c < scores.Length; c++)
                    {
                        scores[c] = (float)(scores[c] / total);
                    }
                }

                break;
            default:
                // Its NormalizeSoftmax: exp of each float score in double, divided by their double sum.
                var sum = 0d;
                Span<double> exp = stackalloc double[scores.Length];
                for (var c = 0; c < scores.Length; c++)
                {
                    exp[c] = Math.Exp((float)sums[c]);
                    sum += exp[c];
                }

                for (var c = 0; c < scores.Length; c++)
                {
                    scores[c] = (float)(exp[c] / sum);
                }

                break;
        }

        return MlNetOutputs.ArgMax(scores);
    }

    public void Dispose() => _reference.Dispose();
}
