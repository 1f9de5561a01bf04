using Kiln.Pipelines.Definitions;

namespace Kiln.Pipelines.Triggers;

/// <summary>
/// When a cron trigger should start a run. The scheduler asks every few seconds; the latest fire time in
/// (<c>notBefore</c>, <c>now</c>] is due. Earlier ones that nobody started (the server was down) are missed on
/// purpose: a nightly retrain that is hours late runs once, not once per missed night. The run's trigger key
/// is the fire time, so asking twice, or on two replicas, starts it once.
/// </summary>
public static class CronFires
{
    /// <summary>The most fire times looked at per call, so a per-second schedule with a long grace stays cheap.</summary>
    private const int MaxSteps = 10_000;

    public static DateTimeOffset? Due(CronTrigger trigger, DateTimeOffset notBefore, DateTimeOffset now)
    {
        DateTimeOffset? due = null;
        var cursor = notBefore;
        for (var i = 0; i < MaxSteps; i++)
        {
            if (trigger.NextAfter(cursor) is not { } next || next > now)
            {
                return due;
            }

            due = next;
            cursor = next;
        }

        return due;
    }

    /// <summary>The key that makes one fire time start one run.</summary>
    public static string Key(CronTrigger trigger, DateTimeOffset fire) =>
        $"cron:{trigger.Expression}:{trigger.TimeZone.Id}:{fire.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}";
}
