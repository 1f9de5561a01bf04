using System.Text;
using Kiln.Batch.Input.Csv;

namespace Kiln.Batch.Tests.Input;

/// <summary>The string cache of a CSV column: the same text gives the same string, other text its own, whatever collides.</summary>
public sealed class Utf8StringCacheTests
{
    [Fact]
    public void Get_RepeatedValues_ReturnsOneInstancePerValue()
    {
        var cache = new Utf8StringCache();
        string[] values = ["yes", "no", "blue-collar", "self-employed", "unknown", "", "é", "a-much-longer-category-value-than-eight-bytes"];

        var first = values.Select(v => cache.Get(Encoding.UTF8.GetBytes(v))).ToArray();
        var second = values.Select(v => cache.Get(Encoding.UTF8.GetBytes(v))).ToArray();

        Assert.Equal(values, first);
        for (var i = 0; i < values.Length; i++)
        {
            Assert.Same(first[i], second[i]);
        }
    }

    [Fact]
    public void Get_ManyDistinctValues_GivesEveryValueBackExactly()
    {
        // Far more values than slots: collisions replace entries, and the column soon stops being cached.
        var cache = new Utf8StringCache();
        var random = new Random(3);
        for (var i = 0; i < 20_000; i++)
        {
            var value = i % 3 == 0 ? $"id-{random.Next()}" : new string((char)('a' + (i % 26)), 1 + (i % 70));
            Assert.Equal(value, cache.Get(Encoding.UTF8.GetBytes(value)));
        }
    }

    [Fact]
    public void Get_ValuesSharingLengthAndEnds_AreToldApart()
    {
        var cache = new Utf8StringCache();
        string[] values = ["abcdefgh-1-abcdefgh", "abcdefgh-2-abcdefgh", "abcdefgh-3-abcdefgh"];

        for (var round = 0; round < 3; round++)
        {
            foreach (var value in values)
            {
                Assert.Equal(value, cache.Get(Encoding.UTF8.GetBytes(value)));
            }
        }
    }
}
