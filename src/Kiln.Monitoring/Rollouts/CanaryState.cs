namespace Kiln.Monitoring.Rollouts;

/// <summary>Where a canary is: its step and when that step began. Persist it; each decision returns the next one.</summary>
/// <param name="StepIndex">Index into <see cref="CanaryPolicy.StepPercents"/>.</param>
/// <param name="StepStartedAt">When the current step began (and its stats window opened).</param>
public readonly record struct CanaryState(int StepIndex, DateTimeOffset StepStartedAt)
{
    /// <summary>The state of a canary starting its first step now.</summary>
    /// <param name="now">The current time.</param>
    /// <returns>Step 0, started now.</returns>
    public static CanaryState Start(DateTimeOffset now) => new(0, now);
}
