using Kiln.Core;

namespace Kiln.Training.Training;

/// <summary>The algorithms a sweep can try.</summary>
public static class SweepAlgorithms
{
    /// <summary>L-BFGS logistic regression (binary), maximum entropy (multiclass), SDCA linear regression.</summary>
    public const string LogReg = "logreg";

    /// <summary>ML.NET FastTree gradient-boosted trees (one-versus-all for multiclass).</summary>
    public const string FastTree = "fasttree";

    /// <summary>LightGBM gradient-boosted trees.</summary>
    public const string LightGbm = "lightgbm";

    public static IReadOnlyList<string> All { get; } = [LogReg, FastTree, LightGbm];

    /// <summary>Checks and normalizes a list of names (any case, no duplicates); empty means all.</summary>
    public static IReadOnlyList<string> Normalize(IReadOnlyList<string>? algorithms)
    {
        if (algorithms is null || algorithms.Count == 0)
        {
            return All;
        }

        var result = new List<string>();
        foreach (var name in algorithms)
        {
            var normalized = name.Trim().ToLowerInvariant();
            if (!All.Contains(normalized))
            {
                throw KilnException.Invalid("algorithms", $"names '{name}'; the algorithms are {string.Join(", ", All)}.");
            }

            if (!result.Contains(normalized))
            {
                result.Add(normalized);
            }
        }

        return result;
    }
}
