namespace Kiln.Monitoring.Rollouts;

/// <summary>One variant's labelled binary predictions; the positive class is <c>true</c>.</summary>
/// <param name="Actual">The ground-truth labels.</param>
/// <param name="Predicted">The predicted labels.</param>
/// <param name="Scores">The positive-class scores per row, or empty to skip AUC.</param>
public sealed record VariantPredictions(ReadOnlyMemory<bool> Actual, ReadOnlyMemory<bool> Predicted, ReadOnlyMemory<double> Scores);
