using Kiln.Core.Packaging;
using Kiln.Monitoring.Sketches;

namespace Kiln.Monitoring.Statistics;

public static partial class DriftDetector
{
    /// <summary>
    /// Tests every reference column against the current column of the same name and kind; columns missing on
    /// either side, or without values on either side, are skipped.
    /// </summary>
    /// <param name="reference">The reference profile (the model's training data).</param>
    /// <param name="current">The current window's sketch.</param>
    /// <param name="options">Methods, thresholds and the dataset drift share; null for the defaults.</param>
    /// <returns>The dataset verdict.</returns>
    public static DatasetDrift Dataset(DataProfile reference, ProfileSketch current, DriftOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(current);
        options ??= DriftOptions.Default;
        var features = new List<FeatureDrift>(reference.Columns.Count);
        foreach (var column in reference.Columns)
        {
            if (current.Find(column.Name) is not { } sketch || sketch.Kind != column.Kind || sketch.Count == 0)
            {
                continue;
            }

            var method = MethodFor(column.Name, options);
            if (column.Numeric is { } numeric && sketch.Numeric is { } quantiles && reference.Rows - column.Missing > 0)
            {
                var left = NumericDistribution.FromProfile(numeric, reference.Rows - column.Missing);
                features.Add(Numeric(column.Name, left, NumericDistribution.FromSketch(quantiles), method, options.Threshold));
            }
            else if (column.Categorical is { } categorical && sketch.Categorical is { } frequencies && CategoryTotal(categorical) > 0)
            {
                features.Add(Categorical(column.Name, CategoryDistribution.FromProfile(categorical), CategoryDistribution.FromSketch(frequencies), method, options.Threshold));
            }
        }

        return Aggregate(features, options.DatasetDriftShare);
    }

    /// <summary>Tests every reference column sketch against the current one of the same name and kind.</summary>
    /// <param name="reference">The reference sketch.</param>
    /// <param name="current">The current window's sketch.</param>
    /// <param name="options">Methods, thresholds and the dataset drift share; null for the defaults.</param>
    /// <returns>The dataset verdict.</returns>
    public static DatasetDrift Dataset(ProfileSketch reference, ProfileSketch current, DriftOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(current);
        options ??= DriftOptions.Default;
        var features = new List<FeatureDrift>(reference.Columns.Count);
        foreach (var column in reference.Columns)
        {
            if (current.Find(column.Name) is not { } sketch || sketch.Kind != column.Kind || sketch.Count == 0 || column.Count == 0)
            {
                continue;
            }

            var method = MethodFor(column.Name, options);
            features.Add(column.Numeric is { } numeric
                ? Numeric(column.Name, NumericDistribution.FromSketch(numeric), NumericDistribution.FromSketch(sketch.Numeric!), method, options.Threshold)
                : Categorical(column.Name, CategoryDistribution.FromSketch(column.Categorical!), CategoryDistribution.FromSketch(sketch.Categorical!), method, options.Threshold));
        }

        return Aggregate(features, options.DatasetDriftShare);
    }

    private static DriftMethod MethodFor(string name, DriftOptions options) =>
        options.FeatureMethods is { } methods && methods.TryGetValue(name, out var method) ? method : options.Method;

    private static long CategoryTotal(CategoricalProfile profile)
    {
        var total = profile.Other;
        foreach (var count in profile.Frequencies.Values)
        {
            total += count;
        }

        return total;
    }
}
