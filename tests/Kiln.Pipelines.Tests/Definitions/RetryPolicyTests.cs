using Kiln.Pipelines.Definitions;

namespace Kiln.Pipelines.Tests.Definitions;

public sealed class RetryPolicyTests
{
    [Fact]
    public void DelayBefore_DoublesFromTheBackoff_UpToTheMaximum()
    {
        var policy = new RetryPolicy(6, TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(1));

        Assert.Equal([10, 20, 40, 60, 60, 60], Enumerable.Range(1, 6).Select(n => policy.DelayBefore(n).TotalSeconds));
    }

    [Fact]
    public void DelayBefore_ManyRetries_DoesNotOverflow() =>
        Assert.Equal(TimeSpan.FromMinutes(10), new RetryPolicy(20, TimeSpan.FromDays(1), TimeSpan.FromMinutes(10)).DelayBefore(1000));

    [Fact]
    public void Read_RetriesAsANumber_UsesTheDefaultBackoff()
    {
        var step = PipelineFileReader.Read("name: x\nsteps:\n  a: { kind: command, retries: 2, with: { program: \"true\" } }\n").Definition!.Steps[0];

        Assert.Equal(new RetryPolicy(2, RetryPolicy.DefaultBackoff, RetryPolicy.DefaultMaxDelay), step.Retries);
    }
}
