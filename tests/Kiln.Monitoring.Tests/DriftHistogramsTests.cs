using Kiln.Core.Packaging;
using Kiln.Monitoring.Drift;
using Kiln.Monitoring.Sketches;

namespace Kiln.Monitoring.Tests;

public class DriftHistogramsTests
{
    [Fact]
    public void Of_NumericProfile_IsItsBinsAsShares()
    {
        var column = new ColumnProfile("age", ColumnProfile.NumericKind, 0,
            new NumericProfile(0, 30, 15, 5, [], [0, 10, 20, 30], [1, 2, 1]), null);

        var histogram = DriftHistograms.Of(column)!;

        Assert.Equal(["0–10", "10–20", "20–30"], histogram.Bins);
        Assert.Equal([0.25, 0.5, 0.25], histogram.Reference);
        Assert.Equal(histogram.Reference, histogram.Current);
    }

    [Fact]
    public void Of_CategoricalProfile_KeepsTheMostFrequentAndPutsTheRestInOther()
    {
        var frequencies = Enumerable.Range(0, 20).ToDictionary(i => $"c{i:00}", i => (long)(100 - i));
        var column = new ColumnProfile("job", ColumnProfile.CategoricalKind, 0, null, new CategoricalProfile(frequencies, Other: 10));

        var histogram = DriftHistograms.Of(column)!;

        Assert.Equal(DriftHistograms.MaxCategories + 1, histogram.Bins.Count);
        Assert.Equal("c00", histogram.Bins[0]);
        Assert.Equal("other", histogram.Bins[^1]);
        Assert.Equal(1, histogram.Reference.Sum(), 9);
    }

    [Fact]
    public void For_SameDataOnBothSides_GivesEqualShares()
    {
        var sketch = ColumnSketch.CreateNumeric("age");
        foreach (var value in Enumerable.Range(0, 1000))
        {
            sketch.Numeric!.Add(value % 100);
        }

        var profile = new ProfileSketch([sketch]);
        profile.AddRows(1000);
        var reference = profile.ToDataProfile().Columns[0];

        var histogram = DriftHistograms.For(reference, sketch)!;

        Assert.Equal(1, histogram.Current.Sum(), 9);
        for (var i = 0; i < histogram.Bins.Count; i++)
        {
            Assert.InRange(Math.Abs(histogram.Reference[i] - histogram.Current[i]), 0, 0.02);
        }
    }
}
