using System.Globalization;
using Kiln.Monitoring.Metrics;

namespace Kiln.Monitoring.Tests.Metrics;

public class PrometheusTextWriterTests
{
    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("a\"b", "a\\\"b")]
    [InlineData("back\\slash", "back\\\\slash")]
    [InlineData("two\nlines", "two\\nlines")]
    [InlineData("\\\"\n", "\\\\\\\"\\n")]
    [InlineData("ünïcode ✓", "ünïcode ✓")]
    public void EscapeLabelValue_SpecialCharacters_AreEscaped(string value, string expected) =>
        Assert.Equal(expected, PrometheusTextWriter.EscapeLabelValue(value));

    [Theory]
    [InlineData(double.PositiveInfinity, "+Inf")]
    [InlineData(double.NegativeInfinity, "-Inf")]
    [InlineData(double.NaN, "NaN")]
    [InlineData(0.0001, "0.0001")]
    [InlineData(2.5, "2.5")]
    [InlineData(42d, "42")]
    [InlineData(-3d, "-3")]
    public void FormatValue_UsesPrometheusSpelling(double value, string expected) =>
        Assert.Equal(expected, PrometheusTextWriter.FormatValue(value));

    [Fact]
    public void WriteFamily_HelpWithBackslashAndNewline_EscapesButKeepsQuotes()
    {
        var text = Write(w => w.WriteFamily("x_total", "say \"hi\"\\\nbye", MetricType.Counter));

        Assert.Equal("# HELP x_total say \"hi\"\\\\\\nbye\n# TYPE x_total counter\n", text);
    }

    [Fact]
    public void WriteSample_WithLabels_WritesEscapedPairsInOrder()
    {
        var text = Write(w => w.WriteSample("m", ["a", "b"], ["1", "q\"uote"], 3));

        Assert.Equal("m{a=\"1\",b=\"q\\\"uote\"} 3\n", text);
    }

    [Fact]
    public void WriteSample_MismatchedLabels_Throws() =>
        Assert.Throws<ArgumentException>(() => Write(w => w.WriteSample("m", ["a"], [], 1)));

    private static string Write(Action<PrometheusTextWriter> write)
    {
        using var output = new StringWriter(CultureInfo.InvariantCulture);
        write(new PrometheusTextWriter(output));
        return output.ToString();
    }
}
