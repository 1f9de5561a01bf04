using Kiln.Core;

namespace Kiln.Core.Tests;

public sealed class DurationTextTests
{
    [Theory]
    [InlineData("30s", 30_000)]
    [InlineData("5m", 300_000)]
    [InlineData("1h30m", 5_400_000)]
    [InlineData("1.5h", 5_400_000)]
    [InlineData("2w", 1_209_600_000)]
    [InlineData("250ms", 250)]
    [InlineData("1m30s500ms", 90_500)]
    [InlineData("00:05:00", 300_000)]
    [InlineData(" 7d ", 604_800_000)]
    [InlineData("0s", 0)]
    public void TryParse_ReadsEveryForm(string text, long milliseconds)
    {
        Assert.True(DurationText.TryParse(text, out var duration));
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), duration);
    }

    [Theory]
    [InlineData("")]
    [InlineData("5")]
    [InlineData("m")]
    [InlineData("5x")]
    [InlineData("-5m")]
    [InlineData("5m 3s")]
    [InlineData("1.2.3h")]
    [InlineData("3651d")]
    [InlineData("-00:05:00")]
    public void TryParse_RefusesWhatIsNotADuration(string text) => Assert.False(DurationText.TryParse(text, out _));

    [Fact]
    public void Parse_RefusesZeroAndNamesTheField()
    {
        var error = Assert.Throws<KilnException>(() => DurationText.Parse("0s", "window"));
        Assert.Equal("window", error.Field);
    }

    [Theory]
    [InlineData(5_400_000, "1h30m")]
    [InlineData(3_600_000, "1h")]
    [InlineData(604_800_000, "7d")]
    [InlineData(90_500, "1m30s500ms")]
    [InlineData(0, "0s")]
    public void Format_WritesLargestUnitFirstAndRoundTrips(long milliseconds, string text)
    {
        var duration = TimeSpan.FromMilliseconds(milliseconds);
        Assert.Equal(text, DurationText.Format(duration));
        Assert.True(DurationText.TryParse(text, out var back));
        Assert.Equal(duration, back);
    }

    [Fact]
    public void ParseTime_ReadsADurationBeforeNowOrATimestamp()
    {
        var now = new DateTimeOffset(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);
        Assert.Equal(now.AddHours(-2), DurationText.ParseTime("2h", now, "since"));
        Assert.Equal(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero), DurationText.ParseTime("2026-12-01T00:00:00Z", now, "since"));
        Assert.Equal("until", Assert.Throws<KilnException>(() => DurationText.ParseTime("soon", now, "until")).Field);
    }
}
