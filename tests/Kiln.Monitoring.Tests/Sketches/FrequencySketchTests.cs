using Kiln.Monitoring.Sketches;

namespace Kiln.Monitoring.Tests.Sketches;

public sealed class FrequencySketchTests
{
    [Fact]
    public void Add_BeyondCategoryLimit_CountsIntoOther()
    {
        var sketch = new FrequencySketch(maxCategories: 2);

        foreach (var value in new[] { "a", "b", "c", "a", "d", null })
        {
            sketch.Add(value);
        }

        Assert.Equal(5, sketch.Count);
        Assert.Equal(1, sketch.Missing);
        Assert.Equal(2, sketch.Other);
        Assert.Equal(2, sketch.Counts["a"]);
        Assert.False(sketch.Counts.ContainsKey("c"));
    }

    [Fact]
    public void Merge_TwoSketches_AddsCountsAndOther()
    {
        var left = new FrequencySketch(3);
        var right = new FrequencySketch(3);
        left.Add("a", 5);
        left.Add("b", 1);
        right.Add("b", 2);
        right.Add("c", 4);
        right.Add("d", 1);
        right.Add(null, 3);

        left.Merge(right);

        Assert.Equal(13, left.Count);
        Assert.Equal(3, left.Missing);
        Assert.Equal(3, left.Counts["b"]);
        Assert.Equal(4, left.Counts["c"]);
        Assert.Equal(1, left.Other);
    }

    [Fact]
    public void ToBytes_RoundTrip_PreservesCounts()
    {
        var sketch = new FrequencySketch(2);
        foreach (var value in new[] { "é", "b", "c", "é", null })
        {
            sketch.Add(value);
        }

        var copy = FrequencySketch.FromBytes(sketch.ToBytes());

        Assert.Equal(sketch.ToBytes(), copy.ToBytes());
        Assert.Equal(2, copy.Counts["é"]);
        Assert.Equal(1, copy.Other);
        Assert.Equal(4, copy.Count);
        Assert.Equal(1, copy.Missing);
    }
}
