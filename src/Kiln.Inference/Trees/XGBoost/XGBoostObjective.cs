namespace Kiln.Inference.Trees.XGBoost;

/// <summary>What an XGBoost objective does to the margins: the base score's transform into a margin, and the prediction's from one.</summary>
internal enum XGBoostOutput : byte
{
    /// <summary>reg:squarederror and kin: the margin is the prediction; base_score is a margin already.</summary>
    Identity,

    /// <summary>binary:logistic, reg:logistic: prediction = sigmoid(margin); base_score is a probability.</summary>
    Logistic,

    /// <summary>binary:logitraw: the margin is the prediction, and base_score is a margin too (XGBoost 1.7's LogisticRaw).</summary>
    LogitRaw,

    /// <summary>multi:softprob: per-class softmax; base_score a margin added to every class.</summary>
    Softmax,
}

/// <summary>An XGBoost objective as Kiln serves it, with XGBoost's float32 formulas (1.7, src/objective, src/common/math.h).</summary>
internal sealed record XGBoostObjective(string Name, XGBoostOutput Output, int Classes)
{
    public static XGBoostObjective From(string name, int numClass) => name switch
    {
        "reg:squarederror" or "reg:linear" or "reg:pseudohubererror" or "reg:absoluteerror" => new(name, XGBoostOutput.Identity, 0),
        "binary:logistic" or "reg:logistic" => new(name, XGBoostOutput.Logistic, name == "binary:logistic" ? 2 : 0),
        "binary:logitraw" => new(name, XGBoostOutput.LogitRaw, 2),
        "multi:softprob" or "multi:softmax" when numClass >= 2 => new(name, XGBoostOutput.Softmax, numClass),
        _ => throw new TreeEngineNotCoveredException($"XGBoost objective '{name}' is not served by Kiln"),
    };

    /// <summary>Whether the model predicts classes (its predictions are class probabilities, or a binary margin).</summary>
    public bool IsClassifier => Classes >= 2;

    /// <summary>The margin every row starts from, as XGBoost's ProbToMargin turns base_score into one.</summary>
    public float BaseMargin(float baseScore) => Output == XGBoostOutput.Logistic
        ? -MathF.Log((1f / baseScore) - 1f)
        : baseScore;

    /// <summary>Turns one row's margins into its predictions (in place).</summary>
    public void Predict(Span<float> values)
    {
        switch (Output)
        {
            case XGBoostOutput.Logistic:
                for (var i = 0; i < values.Length; i++)
                {
                    values[i] = 1f / (1f + MathF.Exp(-values[i]));
                }

                break;
            case XGBoostOutput.Softmax:
                var max = values[0];
                for (var i = 1; i < values.Length; i++)
                {
                    max = MathF.Max(max, values[i]);
                }

                var sum = 0f;
                for (var i = 0; i < values.Length; i++)
                {
                    values[i] = MathF.Exp(values[i] - max);
                    sum += values[i];
                }

                for (var i = 0; i < values.Length; i++)
                {
                    values[i] /= sum;
                }

                break;
        }
    }
}
