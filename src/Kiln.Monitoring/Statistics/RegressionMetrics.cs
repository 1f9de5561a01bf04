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

        return FromSums(n, absolute, squared, total);
    }

    /// <summary>The metrics from sums over the rows: Σ|error|, Σerror², and Σ(actual − mean actual)².</summary>
    public static RegressionQuality FromSums(long n, double absoluteErrors, double squaredErrors, double squaredDeviations)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1);
        var r2 = squaredDeviations == 0 ? (squaredErrors == 0 ? 1 : 0) : 1 - (squaredErrors / squaredDeviations);
        return new RegressionQuality(n, absoluteErrors / n, Math.Sqrt(squaredErrors / n), r2);
    }
}
