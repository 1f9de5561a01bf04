namespace Kiln.Monitoring.Statistics;

/// <summary>Quality of a regression model over a set of labelled predictions.</summary>
/// <param name="Count">How many predictions were scored.</param>
/// <param name="MeanAbsoluteError">Mean of |actual − predicted|.</param>
/// <param name="RootMeanSquaredError">Square root of the mean of (actual − predicted)².</param>
/// <param name="R2">Coefficient of determination; when the actual values are constant, 1 for a perfect fit and 0 otherwise (as scikit-learn).</param>
public sealed record RegressionQuality(long Count, double MeanAbsoluteError, double RootMeanSquaredError, double R2);
