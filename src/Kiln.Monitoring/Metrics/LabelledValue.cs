namespace Kiln.Monitoring.Metrics;

/// <summary>One series of a labelled callback metric: its label values (in the family's label order) and value.</summary>
public readonly record struct LabelledValue(IReadOnlyList<string> LabelValues, double Value);
