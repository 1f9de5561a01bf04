using System.Globalization;
using Kiln.Core.Api;
using Kiln.Core.Packaging;
using Kiln.Monitoring.Sketches;
using Kiln.Monitoring.Statistics;

namespace Kiln.Monitoring.Drift;

/// <summary>Puts a feature's reference profile and its current sketch on the same bins, as shares, for drawing.</summary>
public static class DriftHistograms
{
    /// <summary>The most categories drawn; the rest go into <c>other</c>.</summary>
    public const int MaxCategories = 12;

    public static FeatureHistogram? For(ColumnProfile reference, ColumnSketch current)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(current);
        if (reference.Numeric is { BinEdges.Count: >= 2 } numeric && current.Numeric is { Count: > 0 } sketch && numeric.BinCounts.Sum() > 0)
        {
            return Numeric(numeric, NumericDistribution.FromSketch(sketch));
        }

        if (reference.Categorical is { } categorical && current.Categorical is { Count: > 0 } frequencies)
        {
            return Categorical(CategoryDistribution.FromProfile(categorical), CategoryDistribution.FromSketch(frequencies));
        }

        return null;
    }

    /// <summary>A training profile's own distribution, on the same bins as <see cref="For"/> would use (reference and current both its shares).</summary>
    public static FeatureHistogram? Of(ColumnProfile profile)
    {
        ArgumentNullException.ThrowIfNull(profile);
        if (profile.Numeric is { BinEdges.Count: >= 2 } numeric && numeric.BinCounts.Sum() > 0)
        {
            return Numeric(numeric, current: null);
        }

        if (profile.Categorical is { } categorical && categorical.Frequencies.Values.Sum() + categorical.Other > 0)
        {
            var distribution = CategoryDistribution.FromProfile(categorical);
            return Categorical(distribution, distribution);
        }

        return null;
    }

    /// <summary>The reference's bins as shares, and <paramref name="current"/>'s mass on them (the reference's own when null).</summary>
    private static FeatureHistogram Numeric(NumericProfile reference, NumericDistribution? current)
    {
        var edges = reference.BinEdges;
        var bins = edges.Count - 1;
        double total = reference.BinCounts.Sum();
        var labels = new string[bins];
        var left = new double[bins];
        var right = new double[bins];
        var below = 0.0;
        for (var i = 0; i < bins; i++)
        {
            labels[i] = $"{Short(edges[i])}–{Short(edges[i + 1])}";
            left[i] = reference.BinCounts[i] / total;
            if (current is null)
            {
                continue;
            }

            var upTo = i == bins - 1 ? 1.0 : current.Cdf(edges[i + 1]);
            right[i] = Math.Max(0, upTo - below);
            below = Math.Max(below, upTo);
        }

        return new FeatureHistogram(labels, left, current is null ? left : right);
    }

    private static FeatureHistogram Categorical(CategoryDistribution reference, CategoryDistribution current)
    {
        double Share(CategoryDistribution d, string category) =>
            d.Total > 0 && d.Counts.TryGetValue(category, out var count) ? count / d.Total : 0;

        var shown = reference.Counts.Keys.Union(current.Counts.Keys)
            .Where(c => c != CategoryDistribution.OtherCategory)
            .OrderByDescending(c => Math.Max(Share(reference, c), Share(current, c))).ThenBy(c => c, StringComparer.Ordinal)
            .Take(MaxCategories).ToList();
        var left = shown.Select(c => Share(reference, c)).ToList();
        var right = shown.Select(c => Share(current, c)).ToList();
        var restLeft = Math.Max(0, 1 - left.Sum());
        var restRight = Math.Max(0, 1 - right.Sum());
        if (restLeft > 1e-9 || restRight > 1e-9)
        {
            shown.Add("other");
            left.Add(restLeft);
            right.Add(restRight);
        }

        return new FeatureHistogram(shown, left, right);
    }

    private static string Short(double value) => Math.Abs(value) switch
    {
        >= 1e6 => value.ToString("0.##e0", CultureInfo.InvariantCulture),
        >= 100 => value.ToString("0", CultureInfo.InvariantCulture),
        >= 1 => value.ToString("0.##", CultureInfo.InvariantCulture),
        0 => "0",
        _ => value.ToString("0.###", CultureInfo.InvariantCulture),
    };
}
