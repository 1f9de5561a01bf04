using Kiln.Core.Packaging;
using Kiln.Training.Data;

namespace Kiln.Training.Tests.Data;

public class DataProfilerTests
{
    [Fact]
    public void Profile_NumericColumn_HasNumpyQuantilesMomentsAndHistogram()
    {
        var values = Enumerable.Range(1, 100).Select(i => (double)i).Append(double.NaN).ToArray();
        var column = TabularColumn.Numeric("x", values);

        var profile = DataProfiler.Profile([column], Enumerable.Range(0, values.Length).ToArray()).Columns[0];

        Assert.Equal(ColumnProfile.NumericKind, profile.Kind);
        Assert.Equal(1, profile.Missing);
        var numeric = profile.Numeric!;
        Assert.Equal(101, numeric.Quantiles.Count);
        Assert.Equal(1, numeric.Quantiles[0]);
        Assert.Equal(50.5, numeric.Quantiles[50], 10);
        Assert.Equal(25.75, numeric.Quantiles[25], 10);
        Assert.Equal(100, numeric.Quantiles[100]);
        Assert.Equal(50.5, numeric.Mean, 10);
        Assert.Equal(29.011491975882016, numeric.StdDev, 10);
        Assert.Equal((1.0, 100.0), (numeric.Min, numeric.Max));
        Assert.InRange(numeric.BinCounts.Count, 10, 20);
        Assert.Equal(numeric.BinCounts.Count + 1, numeric.BinEdges.Count);
        Assert.Equal(100, numeric.BinCounts.Sum());
        Assert.Equal(1, numeric.BinEdges[0]);
        Assert.Equal(100, numeric.BinEdges[^1]);
    }

    [Fact]
    public void Profile_OnlyTheGivenRows_AreCounted()
    {
        var column = TabularColumn.Numeric("x", [1, 2, 3, 1000]);

        var numeric = DataProfiler.Profile([column], [0, 1, 2]).Columns[0].Numeric!;

        Assert.Equal(3, numeric.Max);
        Assert.Equal(3, numeric.BinCounts.Sum());
    }

    [Fact]
    public void Profile_ConstantColumn_HasAHistogramAroundTheValue()
    {
        var numeric = DataProfiler.Profile([TabularColumn.Numeric("x", [5, 5, 5])], [0, 1, 2]).Columns[0].Numeric!;

        Assert.Equal(3, numeric.BinCounts.Sum());
        Assert.True(numeric.BinEdges[0] < 5 && numeric.BinEdges[^1] > 5);
        Assert.Equal(0, numeric.StdDev);
    }

    [Fact]
    public void Profile_CategoricalColumn_KeepsTheTopHundredAndCountsTheRestAsOther()
    {
        var values = Enumerable.Range(0, 150).SelectMany(i => Enumerable.Repeat($"c{i:D3}", i < 100 ? 3 : 1)).Append(null).ToArray();
        var column = TabularColumn.Categorical("c", values);

        var profile = DataProfiler.Profile([column], Enumerable.Range(0, values.Length).ToArray()).Columns[0];

        Assert.Equal(ColumnProfile.CategoricalKind, profile.Kind);
        Assert.Equal(1, profile.Missing);
        Assert.Equal(100, profile.Categorical!.Frequencies.Count);
        Assert.Equal(3, profile.Categorical.Frequencies["c000"]);
        Assert.Equal(50, profile.Categorical.Other);
    }
}
