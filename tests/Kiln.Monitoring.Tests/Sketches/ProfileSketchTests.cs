using Kiln.Core.Packaging;
using Kiln.Monitoring.Sketches;
using Kiln.Monitoring.Tests.Statistics;

namespace Kiln.Monitoring.Tests.Sketches;

public sealed class ProfileSketchTests
{
    [Fact]
    public void ToDataProfile_NumericAndCategorical_ProducesValidProfile()
    {
        var sketch = Build(Samples.Normal(1, 10_000, 50, 5), ["x", "y", null]);

        var profile = sketch.ToDataProfile();

        Assert.Equal(10_000, profile.Rows);
        var numeric = profile.Columns[0].Numeric!;
        Assert.Equal(ColumnProfile.NumericKind, profile.Columns[0].Kind);
        Assert.Equal(101, numeric.Quantiles.Count);
        Assert.Equal(numeric.Min, numeric.Quantiles[0]);
        Assert.Equal(numeric.Max, numeric.Quantiles[100]);
        Assert.True(numeric.Quantiles.Zip(numeric.Quantiles.Skip(1)).All(p => p.First <= p.Second));
        Assert.Equal(21, numeric.BinEdges.Count);
        Assert.Equal(20, numeric.BinCounts.Count);
        Assert.Equal(numeric.Min, numeric.BinEdges[0]);
        Assert.Equal(numeric.Max, numeric.BinEdges[20]);
        Assert.Equal(10_000, numeric.BinCounts.Sum());
        Assert.InRange(numeric.Mean, 49.8, 50.2);
        Assert.InRange(numeric.StdDev, 4.8, 5.2);
        Assert.InRange(numeric.Quantiles[50], 49.5, 50.5);

        var categorical = profile.Columns[1];
        Assert.Equal(ColumnProfile.CategoricalKind, categorical.Kind);
        Assert.Equal(3333, categorical.Missing);
        Assert.Equal(3334, categorical.Categorical!.Frequencies["x"]);
    }

    [Fact]
    public void ToDataProfile_EmptyNumericColumn_HasNoNumericPart()
    {
        var sketch = new ProfileSketch([ColumnSketch.CreateNumeric("a")], rows: 3);
        sketch.Columns[0].Numeric!.Add(double.NaN);

        var column = sketch.ToDataProfile().Columns[0];

        Assert.Null(column.Numeric);
        Assert.Equal(1, column.Missing);
    }

    [Fact]
    public void Merge_TwoBatches_MergesColumnWise()
    {
        var first = Build(Samples.Normal(2, 1000), ["a", "b"]);
        var second = Build(Samples.Normal(3, 500), ["c"]);

        first.Merge(second);

        Assert.Equal(1500, first.Rows);
        Assert.Equal(1500, first.Columns[0].Count);
        Assert.Equal(500, first.Columns[1].Categorical!.Counts["c"]);
    }

    [Fact]
    public void Merge_DifferentColumns_Throws()
    {
        var first = new ProfileSketch([ColumnSketch.CreateNumeric("a")]);
        var second = new ProfileSketch([ColumnSketch.CreateCategorical("a")]);

        Assert.Throws<ArgumentException>(() => first.Merge(second));
    }

    [Fact]
    public void ToBytes_RoundTrip_PreservesColumns()
    {
        var sketch = Build(Samples.LogNormal(4, 2000), ["p", "q", "r", null]);

        var copy = ProfileSketch.FromBytes(sketch.ToBytes());

        Assert.Equal(sketch.ToBytes(), copy.ToBytes());
        Assert.Equal(["num", "cat"], copy.Columns.Select(c => c.Name));
        Assert.Equal(sketch.Columns[0].Numeric!.Quantile(0.9), copy.Columns[0].Numeric!.Quantile(0.9));
        Assert.Equal(2000, copy.Rows);
    }

    /// <summary>A two-column sketch: "num" from the values, "cat" cycling through the categories.</summary>
    internal static ProfileSketch Build(double[] values, string?[] categories)
    {
        var sketch = new ProfileSketch([ColumnSketch.CreateNumeric("num"), ColumnSketch.CreateCategorical("cat")]);
        for (var i = 0; i < values.Length; i++)
        {
            sketch.Columns[0].Numeric!.Add(values[i]);
            sketch.Columns[1].Categorical!.Add(categories[i % categories.Length]);
        }

        sketch.AddRows(values.Length);
        return sketch;
    }
}
