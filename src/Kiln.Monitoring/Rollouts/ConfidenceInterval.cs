namespace Kiln.Monitoring.Rollouts;

/// <summary>A two-sided confidence interval.</summary>
/// <param name="Lower">The lower bound.</param>
/// <param name="Upper">The upper bound.</param>
public readonly record struct ConfidenceInterval(double Lower, double Upper);
