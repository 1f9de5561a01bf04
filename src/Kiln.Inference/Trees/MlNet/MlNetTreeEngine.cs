using Kiln.Inference.MlNet;
using Kiln.Inference.Runtime;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Kiln.Inference.Trees.MlNet;

/// <summary>
/// Offers an mlnet model to the compiled tree engine: its featurizing transforms learned by probing
/// (<see cref="MlNetFeaturizerProbe"/>), its trees read (<see cref="MlNetTreeReader"/>), and the result checked against
/// ML.NET on generated rows (missing and extreme numbers; known, unknown, empty and differently cased categories)
/// before it is used. Anything not covered, or any difference, leaves the model to ML.NET with the reason.
/// </summary>
internal static class MlNetTreeEngine
{
    private const int CheckRows = 512;

    /// <summary>The runtime that serves the model: the compiled one, or <paramref name="reference"/> with why not.</summary>
    public static IMlNetScorer Choose(MLContext ml, ITransformer model, DataViewSchema inputSchema, MlNetInputMap map, MlNetFlavorOptions options, IMlNetScorer reference)
    {
        try
        {
            var compiled = Compile(ml, model, inputSchema, map, options, reference, out var vocabulary);
            var difference = Difference(reference, compiled, CheckColumns(map, vocabulary));
            if (difference is null)
            {
                return compiled;
            }

            SetReason(reference, $"the compiled trees differ from ML.NET on generated rows: {difference}");
        }
        catch (TreeEngineNotCoveredException e)
        {
            SetReason(reference, e.Message);
        }

        return reference;
    }

    private static MlNetTreeRuntime Compile(
        MLContext ml, ITransformer model, DataViewSchema inputSchema, MlNetInputMap map, MlNetFlavorOptions options, IMlNetScorer reference, out string[] vocabulary)
    {
        if (model is not TransformerChain<ITransformer> chain || !chain.Any())
        {
            throw new TreeEngineNotCoveredException("the model is not a chain of transforms ending in a predictor");
        }

        var steps = chain.ToArray();
        var trees = MlNetTreeReader.Read(steps[^1], options);
        var featurizer = new TransformerChain<ITransformer>(steps[..^1]);
        var features = MlNetFeaturizerProbe.Build(ml, featurizer, inputSchema, trees.FeatureColumn, map, out vocabulary);
        var compiled = CompiledTreeEnsemble.Compile(trees.Trees);
        if (compiled.FeatureCount > features.Width)
        {
            throw new TreeEngineNotCoveredException($"the trees read feature {compiled.FeatureCount - 1} of {features.Width}");
        }

        return new MlNetTreeRuntime(features, compiled, trees, map, options, reference);
    }

    private static string? Difference(IMlNetScorer reference, IMlNetScorer compiled, BatchColumns columns)
    {
        var (expected, expectedLabels) = reference.Score(columns);
        var (actual, actualLabels) = compiled.Score(columns);
        for (var i = 0; i < expected.Length; i++)
        {
            if (!ResultComparison.Close(expected[i], actual[i]))
            {
                return $"score {i} is {actual[i]} instead of {expected[i]}";
            }
        }

        for (var r = 0; r < expectedLabels.Length; r++)
        {
            if (expectedLabels[r] != actualLabels[r])
            {
                return $"row {r} is class {actualLabels[r]} instead of {expectedLabels[r]}";
            }
        }

        return null;
    }

    /// <summary>Rows that reach every corner the featurizer handles, from a fixed seed.</summary>
    private static BatchColumns CheckColumns(MlNetInputMap map, string[] vocabulary)
    {
        var random = new Random(20261208);
        float[] numbers = [float.NaN, 0f, -0f, 1f, -1f, 0.5f, 1e-30f, 3.4e38f, -3.4e38f, float.PositiveInfinity, float.NegativeInfinity];
        var numeric = new float[map.NumericCount][];
        for (var s = 0; s < numeric.Length; s++)
        {
            numeric[s] = new float[CheckRows];
            for (var r = 0; r < CheckRows; r++)
            {
                numeric[s][r] = random.Next(4) == 0 ? numbers[random.Next(numbers.Length)] : (float)(random.NextDouble() * 2000 - 1000) * (random.Next(3) == 0 ? 0.001f : 1f);
            }
        }

        var categorical = new string?[map.CategoricalCount][];
        for (var s = 0; s < categorical.Length; s++)
        {
            categorical[s] = new string?[CheckRows];
            for (var r = 0; r < CheckRows; r++)
            {
                var known = vocabulary.Length == 0 ? "x" : vocabulary[random.Next(vocabulary.Length)];
                categorical[s][r] = random.Next(8) switch
                {
                    0 => string.Empty,
                    1 => null,
                    2 => known.ToUpperInvariant(),
                    3 => " " + known,
                    4 => "never-seen-" + r,
                    _ => known,
                };
            }
        }

        return new BatchColumns(numeric, categorical, CheckRows);
    }

    private static void SetReason(IMlNetScorer reference, string reason)
    {
        if (reference is IMlNetReferenceRuntime mlnet)
        {
            mlnet.Engine = new ModelEngine(ModelEngine.MlNet, $"served by ML.NET: {reason}");
        }
    }
}
