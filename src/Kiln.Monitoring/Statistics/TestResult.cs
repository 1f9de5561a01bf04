namespace Kiln.Monitoring.Statistics;

/// <summary>The outcome of a hypothesis test.</summary>
/// <param name="Statistic">The test statistic.</param>
/// <param name="PValue">The p-value: the chance of a statistic at least this extreme if both samples share one distribution.</param>
public readonly record struct TestResult(double Statistic, double PValue);
