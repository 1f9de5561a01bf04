namespace Kiln.Core.Monitoring;

/// <summary>One logged prediction: a single row of a scored request.</summary>
/// <param name="Id">The log's own sequence number (0 before it is stored).</param>
/// <param name="Timestamp">When the request was scored.</param>
/// <param name="Deployment">The deployment that answered.</param>
/// <param name="Variant">The variant within the deployment.</param>
/// <param name="ModelName">The registered model.</param>
/// <param name="ModelVersion">The model version that scored the row.</param>
/// <param name="RequestId">The request id the client can address ground truth by.</param>
/// <param name="Row">The row's index within its request.</param>
/// <param name="LatencyMs">Decode + score time of the whole request, in milliseconds.</param>
/// <param name="Prediction">The predicted class label, or the regression value as text.</param>
/// <param name="Score">The positive class's probability (binary), the top probability (multiclass) or the regression value.</param>
/// <param name="PositiveLabel">For binary classifiers: the class <see cref="Score"/> is the probability of.</param>
/// <param name="InputsJson">The row's input features as a JSON object.</param>
/// <param name="OutputsJson">The row's outputs as a JSON object.</param>
/// <param name="Label">The ground truth, once it arrived (as text).</param>
/// <param name="LabelledAt">When the ground truth arrived.</param>
public sealed record PredictionRow(
    long Id,
    DateTimeOffset Timestamp,
    string Deployment,
    string Variant,
    string ModelName,
    int ModelVersion,
    string RequestId,
    int Row,
    double LatencyMs,
    string? Prediction,
    double? Score,
    string? PositiveLabel,
    string InputsJson,
    string OutputsJson,
    string? Label = null,
    DateTimeOffset? LabelledAt = null);
