using System.Buffers;
using System.Globalization;
using Kiln.Core;
using Kiln.Core.Packaging;
using Kiln.Core.Tensors;
using Kiln.Inference.Runtime;

namespace Kiln.Inference.Trees.LightGbm;

/// <summary>
/// Serves a LightGBM model with the compiled tree engine: one FP32 input <c>[rows, features]</c>; a classifier answers
/// <c>label</c> (INT64) and <c>probabilities</c> (FP32 <c>[rows, classes]</c>, as LGBMClassifier.predict_proba), a
/// regressor <c>prediction</c> (FP32 <c>[rows]</c>, as Booster.predict). Scores are LightGBM's: leaf values added in
/// double in tree order, converted by the objective in double, then rounded to float32.
/// </summary>
internal sealed class LightGbmRuntime : IModelRuntime, IReportsModelEngine
{
    private const string LabelOutput = NativeTreeSignature.LabelOutput;
    private const string ProbabilitiesOutput = NativeTreeSignature.ProbabilitiesOutput;
    private const string PredictionOutput = NativeTreeSignature.PredictionOutput;

    private readonly LightGbmModel _model;
    private readonly CompiledTreeEnsemble _trees;
    private readonly string[] _classLabels;
    private readonly string[] _outputNames;
    private readonly int _iterations;

    public LightGbmRuntime(LightGbmModel model, ModelSignature? signature = null)
    {
        _model = model;
        _trees = CompiledTreeEnsemble.Compile(model.Trees);
        if (!_trees.SumsEachTreeIntoOneTarget)
        {
            throw new TreeEngineNotCoveredException("a tree scores more than one class");
        }

        _iterations = model.Trees.Trees.Count / model.TreesPerIteration;
        _classLabels = Enumerable.Range(0, model.Objective.Classes).Select(c => c.ToString(CultureInfo.InvariantCulture)).ToArray();
        Signature = signature ?? SignatureOf(model);
        _outputNames = Signature.Outputs.Select(o => o.Name).ToArray();
    }

    public ModelSignature Signature { get; }

    public ModelEngine Engine => new(ModelEngine.CompiledTrees, $"{_trees.TreeCount} trees, {_trees.TargetCount} targets, {_trees.KernelName} kernel");

    /// <summary>The signature a LightGBM model is served with; its columns are the model's feature names.</summary>
    public static ModelSignature SignatureOf(LightGbmModel model) =>
        NativeTreeSignature.Of(model.FeatureCount, model.FeatureNames, model.Objective.IsClassifier ? model.Objective.Classes : 0);

    public InferenceResult Predict(InferenceBatch batch, IReadOnlyList<string>? outputs)
    {
        var matrix = FeatureMatrix.Of(batch.Inputs[0], _trees);
        var rows = matrix.Rows;
        var targets = _trees.TargetCount;
        var sums = ArrayPool<double>.Shared.Rent(Math.Max(rows * targets, 1));
        try
        {
            _trees.ScoreSums(matrix.Values, rows, matrix.Stride, sums);
            var converted = Convert(sums.AsSpan(0, rows * targets), rows, targets);
            var names = outputs is null || outputs.Count == 0 ? _outputNames : outputs;
            var tensors = new Tensor[names.Count];
            for (var i = 0; i < tensors.Length; i++)
            {
                tensors[i] = Output(names[i], converted, rows);
            }

            return new InferenceResult(tensors);
        }
        finally
        {
            ArrayPool<double>.Shared.Return(sums);
        }
    }

    /// <summary>Each row's scores as LightGBM's predict gives them: averaged for random forests, converted by the objective.</summary>
    private double[] Convert(ReadOnlySpan<double> sums, int rows, int targets)
    {
        var converted = sums.ToArray();
        for (var r = 0; r < rows; r++)
        {
            var row = converted.AsSpan(r * targets, targets);
            if (_model.AverageOutput)
            {
                for (var k = 0; k < row.Length; k++)
                {
                    row[k] /= _iterations;
                }
            }

            _model.Objective.Convert(row);
        }

        return converted;
    }

    private Tensor Output(string name, double[] scores, int rows)
    {
        var targets = _trees.TargetCount;
        switch (name)
        {
            case PredictionOutput when Signature.FindOutput(PredictionOutput) is not null:
                var values = new float[rows];
                for (var r = 0; r < rows; r++)
                {
                    values[r] = (float)scores[r * targets];
                }

                return new Tensor(name, TensorDataType.Fp32, [rows], values, rows);
            case ProbabilitiesOutput or LabelOutput when Signature.FindOutput(name) is not null:
                var classes = _model.Objective.Classes;
                var probabilities = new float[rows * classes];
                var labels = new long[rows];
                for (var r = 0; r < rows; r++)
                {
                    var row = probabilities.AsSpan(r * classes, classes);
                    if (targets == 1)
                    {
                        // Binary: LGBMClassifier's predict_proba is [1 - p, p] and its predict p > 0.5.
                        var p = scores[r];
                        row[0] = (float)(1d - p);
                        row[1] = (float)p;
                        labels[r] = p > 0.5 ? 1 : 0;
                        continue;
                    }

                    var best = 0;
                    for (var c = 0; c < classes; c++)
                    {
                        row[c] = (float)scores[(r * targets) + c];
                        best = scores[(r * targets) + c] > scores[(r * targets) + best] ? c : best;
                    }

                    labels[r] = best;
                }

                return name == LabelOutput
                    ? new Tensor(name, TensorDataType.Int64, [rows], labels, rows)
                    : new Tensor(name, TensorDataType.Fp32, [rows, classes], probabilities, probabilities.Length) { Labels = _classLabels };
            default:
                throw KilnException.Invalid("outputs", $"'{name}' is not an output of this model.");
        }
    }

    public void Dispose()
    {
    }
}
