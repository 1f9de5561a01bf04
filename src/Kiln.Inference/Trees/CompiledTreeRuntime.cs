using System.Buffers;
using Kiln.Core;
using Kiln.Core.Packaging;
using Kiln.Core.Tensors;
using Kiln.Inference.Runtime;

namespace Kiln.Inference.Trees;

/// <summary>
/// Serves an ONNX tree model with the compiled engine. The ONNX Runtime session it was checked against
/// stays loaded as <see cref="Reference"/> for deployments that ask for the reference runtime.
/// </summary>
internal sealed class CompiledTreeRuntime : IModelRuntime
{
    private readonly CompiledTreeEnsemble _trees;
    private readonly OnnxTreeOutputRules _rules;
    private readonly Dictionary<string, TreeGraphOutput> _outputs;
    private readonly string[] _allOutputs;

    public CompiledTreeRuntime(OnnxTreeGraph graph, CompiledTreeEnsemble trees, OnnxTreeOutputRules rules, IModelRuntime reference)
    {
        _trees = trees;
        _rules = rules;
        Reference = reference;
        _outputs = graph.Outputs.ToDictionary(o => o.Name, StringComparer.Ordinal);
        _allOutputs = reference.Signature.Outputs.Select(o => o.Name).ToArray();
        foreach (var output in graph.Outputs)
        {
            if (output.Kind == TreeOutputKind.ProbabilityMap && output.MapLabels!.Length != rules.ScoreColumns)
            {
                throw new TreeEngineNotCoveredException($"ZipMap has {output.MapLabels.Length} labels for {rules.ScoreColumns} score columns");
            }
        }

        if (_allOutputs.Any(name => !_outputs.ContainsKey(name)))
        {
            throw new TreeEngineNotCoveredException("the signature names an output the graph does not have");
        }
    }

    /// <summary>The ONNX Runtime session the engine stands in for.</summary>
    public IModelRuntime Reference { get; }

    IModelRuntime IModelRuntime.ReferenceRuntime => Reference;

    public ModelSignature Signature => Reference.Signature;

    /// <summary>A description of the compiled form, for logs and metadata.</summary>
    public string Description => $"{_trees.TreeCount} trees, {_trees.TargetCount} targets, {_trees.KernelName} kernel";

    public InferenceResult Predict(InferenceBatch batch, IReadOnlyList<string>? outputs)
    {
        var matrix = FeatureMatrix.Of(batch.Inputs[0], _trees);
        var rows = matrix.Rows;
        var targets = _trees.TargetCount;
        var raw = ArrayPool<float>.Shared.Rent(rows * targets);
        try
        {
            _trees.Score(matrix.Values, rows, matrix.Stride, raw);
            var scores = new float[rows * _rules.ScoreColumns];
            var labels = _rules.IsClassifier ? new long[rows] : [];
            _rules.Finish(raw.AsSpan(0, rows * targets), rows, targets, _trees.Scoring, scores, labels);
            var names = outputs is null || outputs.Count == 0 ? _allOutputs : outputs;
            var tensors = new Tensor[names.Count];
            for (var i = 0; i < tensors.Length; i++)
            {
                tensors[i] = ToTensor(names[i], rows, scores, labels);
            }

            return new InferenceResult(tensors);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(raw);
        }
    }

    private Tensor ToTensor(string name, int rows, float[] scores, long[] labels)
    {
        if (!_outputs.TryGetValue(name, out var output))
        {
            throw KilnException.Invalid("outputs", $"'{name}' is not an output of this model.");
        }

        var columns = _rules.ScoreColumns;
        switch (output.Kind)
        {
            case TreeOutputKind.Label when _rules.StringLabels is { } strings:
                var text = new string[rows];
                for (var r = 0; r < rows; r++)
                {
                    text[r] = strings[labels[r]];
                }

                return new Tensor(name, TensorDataType.Bytes, [rows], text, rows);
            case TreeOutputKind.Label:
                return new Tensor(name, TensorDataType.Int64, [rows], labels, rows);
            case TreeOutputKind.Scores:
                return new Tensor(name, TensorDataType.Fp32, [rows, columns], scores, scores.Length);
            default:
                var mapColumns = output.MapColumns!;
                var zipped = new float[scores.Length];
                for (var r = 0; r < rows; r++)
                {
                    for (var c = 0; c < mapColumns.Length; c++)
                    {
                        zipped[r * columns + c] = scores[r * columns + mapColumns[c]];
                    }
                }

                return new Tensor(name, TensorDataType.Fp32, [rows, columns], zipped, zipped.Length) { Labels = output.MapLabels };
        }
    }

    public void Dispose() => Reference.Dispose();
}
