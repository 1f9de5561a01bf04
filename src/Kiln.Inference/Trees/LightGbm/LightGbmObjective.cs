using System.Globalization;

namespace Kiln.Inference.Trees.LightGbm;

/// <summary>What a LightGBM model's raw scores become, as LightGBM's own predictor converts them.</summary>
internal enum LightGbmOutput : byte
{
    /// <summary>The raw score as it is (regression, ranking).</summary>
    Identity,

    /// <summary><c>exp(score)</c>: poisson, gamma and tweedie regression.</summary>
    Exp,

    /// <summary>1 / (1 + exp(−σ·score)) per score: binary, cross-entropy, one-versus-all multiclass.</summary>
    Sigmoid,

    /// <summary>Softmax over the classes' scores: multiclass.</summary>
    Softmax,
}

/// <summary>
/// A LightGBM objective (the model file's <c>objective=</c> line, e.g. <c>binary sigmoid:1</c>): how raw scores convert,
/// in double as LightGBM converts them, and whether the model is a classifier.
/// </summary>
internal sealed record LightGbmObjective(string Name, LightGbmOutput Output, double Sigmoid, int Classes)
{
    public bool IsClassifier => Name is "binary" or "multiclass" or "multiclassova";

    /// <summary>Reads the objective line; an objective whose conversion Kiln does not know is not covered.</summary>
    public static LightGbmObjective From(string line, int numClass)
    {
        var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var name = parts.Length > 0 ? parts[0] : throw new TreeEngineNotCoveredException("the model names no objective");
        var options = parts.Skip(1).Select(p => p.Split(':', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
        if (parts.Contains("sqrt"))
        {
            throw new TreeEngineNotCoveredException($"the '{name}' objective with sqrt-transformed labels is not covered");
        }

        var sigmoid = options.TryGetValue("sigmoid", out var s) ? double.Parse(s, CultureInfo.InvariantCulture) : 1d;
        return name switch
        {
            "binary" => new(name, LightGbmOutput.Sigmoid, sigmoid, 2),
            "cross_entropy" or "xentropy" => new("cross_entropy", LightGbmOutput.Sigmoid, 1d, 0),
            "multiclass" or "softmax" => new("multiclass", LightGbmOutput.Softmax, 1d, numClass),
            "multiclassova" or "multiclass_ova" or "ova" or "ovr" => new("multiclassova", LightGbmOutput.Sigmoid, sigmoid, numClass),
            "regression" or "regression_l2" or "l2" or "mean_squared_error" or "mse" or "regression_l1" or "l1" or "mean_absolute_error" or "mae"
                or "huber" or "fair" or "quantile" or "mape" or "mean_absolute_percentage_error" or "lambdarank" or "rank_xendcg" => new(name, LightGbmOutput.Identity, 1d, 0),
            "poisson" or "gamma" or "tweedie" => new(name, LightGbmOutput.Exp, 1d, 0),
            _ => throw new TreeEngineNotCoveredException($"the '{name}' objective is not covered"),
        };
    }

    /// <summary>Converts one row's raw scores in place (one per class for multiclass models, else one).</summary>
    public void Convert(Span<double> scores)
    {
        switch (Output)
        {
            case LightGbmOutput.Exp:
                for (var i = 0; i < scores.Length; i++)
                {
                    scores[i] = Math.Exp(scores[i]);
                }

                break;
            case LightGbmOutput.Sigmoid:
                for (var i = 0; i < scores.Length; i++)
                {
                    scores[i] = 1d / (1d + Math.Exp(-Sigmoid * scores[i]));
                }

                break;
            case LightGbmOutput.Softmax:
                // LightGBM's Common::Softmax: shifted by the largest score, summed in double.
                var max = scores[0];
                for (var i = 1; i < scores.Length; i++)
                {
                    max = Math.Max(max, scores[i]);
                }

                var sum = 0d;
                for (var i = 0; i < scores.Length; i++)
                {
                    scores[i] = Math.Exp(scores[i] - max);
                    sum += scores[i];
                }

                for (var i = 0; i < scores.Length; i++)
                {
                    scores[i] /= sum;
                }

                break;
        }
    }
}
