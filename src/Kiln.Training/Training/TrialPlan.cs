using System.Globalization;

namespace Kiln.Training.Training;

/// <summary>Hyper-parameters of a boosted-tree trial.</summary>
internal sealed record TreeParameters(int Trees, int Leaves, double LearningRate, int MinExamplesPerLeaf);

/// <summary>Hyper-parameters of a linear trial: L1 and L2 regularization weights.</summary>
internal sealed record LinearParameters(float L1, float L2);

/// <summary>One planned trial: an algorithm and its hyper-parameters.</summary>
internal sealed record TrialPlan(int Index, string Algorithm, TreeParameters? Trees, LinearParameters? Linear)
{
    public IReadOnlyDictionary<string, string> Parameters
    {
        get
        {
            var parameters = new Dictionary<string, string>(StringComparer.Ordinal) { ["algorithm"] = Algorithm };
            if (Trees is { } t)
            {
                parameters["number_of_trees"] = Format(t.Trees);
                parameters["number_of_leaves"] = Format(t.Leaves);
                parameters["learning_rate"] = Format(t.LearningRate);
                parameters["min_examples_per_leaf"] = Format(t.MinExamplesPerLeaf);
            }

            if (Linear is { } l)
            {
                parameters["l1"] = Format(l.L1);
                parameters["l2"] = Format(l.L2);
            }

            return parameters;
        }
    }

    private static string Format(IFormattable value) => value.ToString(null, CultureInfo.InvariantCulture);
}

/// <summary>
/// A small deterministic search: trials go round-robin over the algorithms; each algorithm first
/// takes its hand-picked grid (sensible defaults first), then seeded random draws from its ranges.
/// </summary>
internal static class HyperParameterSearch
{
    private static readonly TreeParameters[] FastTreeGrid =
    [
        new(100, 20, 0.2, 10),
        new(200, 16, 0.1, 20),
        new(300, 31, 0.05, 20),
        new(60, 8, 0.3, 10),
        new(150, 50, 0.1, 50),
    ];

    private static readonly TreeParameters[] LightGbmGrid =
    [
        new(100, 31, 0.1, 20),
        new(200, 15, 0.05, 20),
        new(300, 31, 0.03, 50),
        new(80, 63, 0.1, 30),
        new(150, 8, 0.2, 10),
    ];

    private static readonly LinearParameters[] LinearGrid =
    [
        new(1f, 1f),
        new(0.1f, 0.1f),
        new(0f, 10f),
        new(5f, 0.01f),
        new(0.01f, 50f),
    ];

    public static IReadOnlyList<TrialPlan> Plan(IReadOnlyList<string> algorithms, int trials, int seed)
    {
        var plans = new TrialPlan[trials];
        for (var i = 0; i < trials; i++)
        {
            var algorithm = algorithms[i % algorithms.Count];
            var round = i / algorithms.Count;
            plans[i] = algorithm switch
            {
                SweepAlgorithms.LogReg => new TrialPlan(i, algorithm, null, round < LinearGrid.Length ? LinearGrid[round] : DrawLinear(Rng(seed, i))),
                SweepAlgorithms.FastTree => new TrialPlan(i, algorithm, round < FastTreeGrid.Length ? FastTreeGrid[round] : DrawTrees(Rng(seed, i)), null),
                _ => new TrialPlan(i, algorithm, round < LightGbmGrid.Length ? LightGbmGrid[round] : DrawTrees(Rng(seed, i)), null),
            };
        }

        return plans;
    }

    private static Random Rng(int seed, int trial) => new(unchecked((seed * 7919) + trial));

    private static TreeParameters DrawTrees(Random random) => new(
        Trees: random.Next(5, 41) * 10,
        Leaves: random.Next(4, 65),
        LearningRate: Math.Round(Math.Exp(Uniform(random, Math.Log(0.02), Math.Log(0.3))), 4),
        MinExamplesPerLeaf: random.Next(5, 101));

    private static LinearParameters DrawLinear(Random random) => new(
        L1: (float)Math.Round(Math.Exp(Uniform(random, Math.Log(1e-3), Math.Log(10))), 4),
        L2: (float)Math.Round(Math.Exp(Uniform(random, Math.Log(1e-3), Math.Log(50))), 4));

    private static double Uniform(Random random, double low, double high) => low + (random.NextDouble() * (high - low));
}
