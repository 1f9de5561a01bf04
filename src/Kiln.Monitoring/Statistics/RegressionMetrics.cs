namespace Kiln.Monitoring.Statistics;

/// <summary>Quality metrics of regression models (scikit-learn's definitions).</summary>
public static class RegressionMetrics
{
    /// <summary>Mean absolute error, root mean squared error and R².</summary>
    /// <param name="actual">The true values.</param>
    /// <param name="predicted">The predicted values.</param>
    /// <returns>The metrics.</returns>
    /// <exception cref="ArgumentException">The spans are empty or differ in length.</exception>
    public static RegressionQuality Compute(ReadOnlySpan<double> actual, ReadOnlySpan<double> predicted)
    {
        var n = actual.Length;
        if (n == 0 || predicted.Length != n)
        {
            throw new ArgumentException("Actual and predicted values must be non-empty and of equal length.", nameof(actual));
        }

        double sum = 0;
        foreach (var value in actual)
        {
            sum += value;
        }

        var mean = sum / n;
        double absolute = 0, squared = 0, total = 0;
        for (var i = 0; i < n; i++)
        {
            var error = actual[i] - predicted[i];
            absolute += Math.Abs(error);
            squared += error * error;
            var deviation = actual[i] - mean;
            total += deviation * deviation;
        }

        var r2 = total == 0 ? (squared == 0 ? 1 : 0) : 1 - (squared / total);
        return new RegressionQuality(n, absolute / n, Math.Sqrt(squared / n), r2);
    }
}
