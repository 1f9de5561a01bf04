using Kiln.Core.Tensors;
using Kiln.Monitoring.PredictionLog;

namespace Kiln.Monitoring.Evaluation;

/// <summary>One scored row read the way the prediction log reads it: the predicted label, the score, and the class the score is for.</summary>
/// <param name="Prediction">The predicted label (classification).</param>
/// <param name="Score">The positive class's probability (binary), the winning class's (multiclass), or the value (regression).</param>
/// <param name="PositiveLabel">For binary classification, the class the score is the probability of.</param>
public readonly record struct OfflineReading(string? Prediction, double? Score, string? PositiveLabel);

/// <summary>Reads a batch's model outputs row by row, exactly as online predictions are read for the log and for quality.</summary>
public static class OfflineReadings
{
    public static OfflineReading[] Read(InferenceResult result, int rows)
    {
        var readings = new OfflineReading[rows];
        for (var row = 0; row < rows; row++)
        {
            var reading = PredictionReading.Read(result, rows, row);
            readings[row] = new OfflineReading(reading.Prediction, reading.Score, reading.PositiveLabel);
        }

        return readings;
    }
}
