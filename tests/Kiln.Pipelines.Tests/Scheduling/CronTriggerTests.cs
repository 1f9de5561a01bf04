using Kiln.Pipelines.Definitions;

namespace Kiln.Pipelines.Tests.Scheduling;

public sealed class CronTriggerTests
{
    private static CronTrigger Read(string cron, string? zone = null)
    {
        var file = PipelineFileReader.Read($"name: x\ntriggers:\n  - cron: \"{cron}\"\n" + (zone is null ? "" : $"    timezone: {zone}\n")
            + "steps:\n  a: { kind: command, with: { program: \"true\" } }\n");
        Assert.Empty(file.Problems);
        return Assert.IsType<CronTrigger>(file.Definition!.Triggers[0]);
    }

    [Fact]
    public void NextAfter_Utc_IsTheNextMatchingMinute()
    {
        var trigger = Read("30 3 * * *");

        Assert.Equal(At("2026-12-07T03:30:00Z"), trigger.NextAfter(At("2026-12-07T01:00:00Z")));
        Assert.Equal(At("2026-12-08T03:30:00Z"), trigger.NextAfter(At("2026-12-07T03:30:00Z")));
    }

    [Fact]
    public void NextAfter_InAZone_FollowsItsOffsetAcrossTheYear()
    {
        var trigger = Read("0 3 * * *", "Europe/Berlin");

        Assert.Equal(At("2026-12-07T02:00:00Z"), trigger.NextAfter(At("2026-12-07T00:00:00Z"))); // CET, UTC+1
        Assert.Equal(At("2026-07-07T01:00:00Z"), trigger.NextAfter(At("2026-07-07T00:00:00Z"))); // CEST, UTC+2
    }

    [Fact]
    public void NextAfter_SpringForward_FiresOnceAtTheTransition()
    {
        // 2026-03-29 in Berlin: 02:00 CET jumps to 03:00 CEST, so 02:30 does not exist that day.
        var trigger = Read("30 2 * * *", "Europe/Berlin");

        var first = trigger.NextAfter(At("2026-03-28T12:00:00Z"));
        Assert.Equal(At("2026-03-29T01:00:00Z"), first); // moved to the transition instant, 03:00 CEST
        Assert.Equal(At("2026-03-30T00:30:00Z"), trigger.NextAfter(first!.Value));
    }

    [Fact]
    public void NextAfter_FallBack_FiresOnceInTheRepeatedHour()
    {
        // 2026-10-25 in Berlin: 03:00 CEST falls back to 02:00 CET, so 02:30 happens twice; the job runs once.
        var trigger = Read("30 2 * * *", "Europe/Berlin");

        var first = trigger.NextAfter(At("2026-10-24T12:00:00Z"));
        Assert.Equal(At("2026-10-25T00:30:00Z"), first); // the first 02:30, still CEST
        Assert.Equal(At("2026-10-26T01:30:00Z"), trigger.NextAfter(first!.Value));
    }

    [Fact]
    public void Read_SixFields_IncludesSeconds()
    {
        var trigger = Read("15 0 * * * *");

        Assert.Equal(At("2026-12-07T01:00:15Z"), trigger.NextAfter(At("2026-12-07T01:00:00Z")));
    }

    [Fact]
    public void Read_Macro_IsAccepted() => Assert.Equal(At("2026-12-08T00:00:00Z"), Read("@daily").NextAfter(At("2026-12-07T10:00:00Z")));

    private static DateTimeOffset At(string text) => DateTimeOffset.Parse(text, System.Globalization.CultureInfo.InvariantCulture);
}
