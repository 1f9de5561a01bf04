using Kiln.Core.Tensors;

namespace Kiln.Monitoring.PredictionLog;

/// <summary>
/// What a row's outputs say, in the terms quality and drift use: the predicted class or value, a
/// score, and for binary classifiers the class the score is the probability of. Read from the
/// output tensors themselves: a probability matrix carries class labels; a text or integer vector is
/// a class label; a float vector (or [N, 1]) is a regression value.
/// </summary>
internal readonly record struct PredictionReading(string? Prediction, double? Score, string? PositiveLabel)
{
    public static PredictionReading Read(InferenceResult result, int rows, int row)
    {
        Tensor? probabilities = null;
        Tensor? label = null;
        Tensor? value = null;
        foreach (var output in result.Outputs)
        {
            if (output.Labels is { Count: > 0 } labels && TensorValues.PerRow(output, rows) == labels.Count)
            {
                probabilities ??= output;
            }
            else if (TensorValues.PerRow(output, rows) == 1)
            {
                if (output.DataType is TensorDataType.Fp32 or TensorDataType.Fp64 or TensorDataType.Fp16)
                {
                    value ??= output;
                }
                else
                {
                    label ??= output;
                }
            }
        }

        if (probabilities is not null)
        {
            var classes = probabilities.Labels!;
            var width = classes.Count;
            var best = 0;
            for (var c = 1; c < width; c++)
            {
                if (TensorValues.GetDouble(probabilities, (row * width) + c) > TensorValues.GetDouble(probabilities, (row * width) + best))
                {
                    best = c;
                }
            }

            var predicted = label is not null ? TensorValues.GetText(label, row) : classes[best];
            return width == 2
                ? new PredictionReading(predicted, TensorValues.GetDouble(probabilities, (row * 2) + 1), classes[1])
                : new PredictionReading(predicted, TensorValues.GetDouble(probabilities, (row * width) + best), null);
        }

        if (label is not null)
        {
            return new PredictionReading(TensorValues.GetText(label, row), null, null);
        }

        return value is not null ? new PredictionReading(null, TensorValues.GetDouble(value, row), null) : default;
    }
}
