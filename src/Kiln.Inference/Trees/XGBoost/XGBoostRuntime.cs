using System.Buffers;
using Kiln.Core;
using Kiln.Core.Packaging;
using Kiln.Core.Tensors;
using Kiln.Inference.Runtime;

namespace Kiln.Inference.Trees.XGBoost;

/// <summary>
/// Serves an XGBoost model with the compiled tree engine: one FP32 input <c>[rows, features]</c>; a classifier answers
/// <c>label</c> (INT64) and <c>probabilities</c> (FP32 <c>[rows, classes]</c>, as XGBClassifier.predict_proba), a regressor
/// <c>prediction</c> (FP32 <c>[rows]</c>, as Booster.predict).
/// </summary>
internal sealed class XGBoostRuntime : IModelRuntime, IReportsModelEngine
{
    private const string LabelOutput = NativeTreeSignature.LabelOutput;
    private const string ProbabilitiesOutput = NativeTreeSignature.ProbabilitiesOutput;
    private const string PredictionOutput = NativeTreeSignature.PredictionOutput;

    private readonly XGBoostModel _model;
    private readonly CompiledTreeEnsemble _trees;
    private readonly float[] _initial;
    private readonly string[] _classLabels;
    private readonly string[] _outputNames;

    public XGBoostRuntime(XGBoostModel model, ModelSignature? signature = null)
    {
        _model = model;
        _trees = CompiledTreeEnsemble.Compile(model.Trees);
        _initial = Enumerable.Repeat(model.BaseMargin, _trees.TargetCount).ToArray();
        _classLabels = Enumerable.Range(0, Math.Max(model.Objective.Classes, 0)).Select(c => c.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        Signature = signature ?? SignatureOf(model);
        _outputNames = Signature.Outputs.Select(o => o.Name).ToArray();
    }

    public ModelSignature Signature { get; }

    /// <summary>A description of the compiled form, for the version's metadata.</summary>
    public string Description => $"{_trees.TreeCount} trees, {_trees.TargetCount} targets, {_trees.KernelName} kernel";

    public ModelEngine Engine => new(ModelEngine.CompiledTrees, Description);

    /// <summary>The signature an XGBoost model is served with; its columns are the model's feature names when it saved them.</summary>
    public static ModelSignature SignatureOf(XGBoostModel model) =>
        NativeTreeSignature.Of(
            model.FeatureCount, model.FeatureNames,
            model.Objective.Output is XGBoostOutput.Logistic or XGBoostOutput.Softmax && model.Objective.IsClassifier ? model.Objective.Classes : 0);

    public InferenceResult Predict(InferenceBatch batch, IReadOnlyList<string>? outputs)
    {
        var matrix = FeatureMatrix.Of(batch.Inputs[0], _trees);
        var rows = matrix.Rows;
        var targets = _trees.TargetCount;
        var margins = ArrayPool<float>.Shared.Rent(rows * targets);
        try
        {
            _trees.Score(matrix.Values, rows, matrix.Stride, margins, _initial);
            var names = outputs is null || outputs.Count == 0 ? _outputNames : outputs;
            var tensors = new Tensor[names.Count];
            for (var i = 0; i < tensors.Length; i++)
            {
                tensors[i] = Output(names[i], margins.AsSpan(0, rows * targets), rows);
            }

            return new InferenceResult(tensors);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(margins);
        }
    }

    private Tensor Output(string name, ReadOnlySpan<float> margins, int rows)
    {
        var objective = _model.Objective;
        var targets = _trees.TargetCount;
        switch (name)
        {
            case PredictionOutput when Signature.FindOutput(PredictionOutput) is not null:
                var values = margins.ToArray();
                objective.Predict(values);
                return new Tensor(name, TensorDataType.Fp32, [rows], values, rows);
            case ProbabilitiesOutput or LabelOutput when Signature.FindOutput(name) is not null:
                var classes = objective.Classes;
                var probabilities = new float[rows * classes];
                var labels = new long[rows];
                for (var r = 0; r < rows; r++)
                {
                    var row = probabilities.AsSpan(r * classes, classes);
                    if (targets == 1)
                    {
                        // Binary: XGBClassifier's predict_proba is [1 - p, p] and its predict p > 0.5.
                        Span<float> p = [margins[r]];
                        objective.Predict(p);
                        row[0] = 1f - p[0];
                        row[1] = p[0];
                        labels[r] = p[0] > 0.5f ? 1 : 0;
                        continue;
                    }

                    margins.Slice(r * targets, targets).CopyTo(row);
                    objective.Predict(row);
                    labels[r] = ArgMax(row);
                }

                return name == LabelOutput
                    ? new Tensor(name, TensorDataType.Int64, [rows], labels, rows)
                    : new Tensor(name, TensorDataType.Fp32, [rows, classes], probabilities, probabilities.Length) { Labels = _classLabels };
            default:
                throw KilnException.Invalid("outputs", $"'{name}' is not an output of this model.");
        }
    }

    private static int ArgMax(ReadOnlySpan<float> values)
    {
        var best = 0;
        for (var i = 1; i < values.Length; i++)
        {
            if (values[i] > values[best])
            {
                best = i;
            }
        }

        return best;
    }

    public void Dispose()
    {
    }
}
