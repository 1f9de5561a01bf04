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
    private readonly PlattCalibrator? _calibration;
    private readonly MlNetInputMap _map;
    private readonly MlNetFlavorOptions _options;
    private readonly IMlNetScorer _reference;
    private readonly string[] _allOutputs;
    private readonly int _width;

    public MlNetTreeRuntime(MlNetFeaturizer featurizer, CompiledTreeEnsemble trees, PlattCalibrator? calibration, MlNetInputMap map, MlNetFlavorOptions options, IMlNetScorer reference)
    {
        _featurizer = featurizer;
        _trees = trees;
        _calibration = calibration;
        _map = map;
        _options = options;
        _reference = reference;
        _allOutputs = reference.Signature.Outputs.Select(o => o.Name).ToArray();
        _width = options.Task == MlNetFlavorOptions.BinaryTask ? 2 : 1;
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
        var sums = ArrayPool<double>.Shared.Rent(Math.Max(block, 1));
        try
        {
            for (var first = 0; first < rows; first += BlockRows)
            {
                var count = Math.Min(BlockRows, rows - first);
                _featurizer.Fill(columns, first, count, features);
                _trees.ScoreSums(features, count, _featurizer.Width, sums);
                for (var r = 0; r < count; r++)
                {
                    var score = (float)sums[r];
                    var row = first + r;
                    if (_calibration is { } platt)
                    {
                        labels[row] = MlNetOutputs.Binary(platt.PredictProbability(score), scores.AsSpan(row * 2, 2));
                    }
                    else
                    {
                        scores[row] = score;
                    }
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

    public void Dispose() => _reference.Dispose();
}
