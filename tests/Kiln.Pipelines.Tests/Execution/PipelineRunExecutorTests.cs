using System.Text.Json.Nodes;
using Kiln.Core.Pipelines;

namespace Kiln.Pipelines.Tests.Execution;

public sealed class PipelineRunExecutorTests
{
    [Fact]
    public async Task Run_Chain_PassesOutputsOnAndSucceeds()
    {
        await using var h = await EngineHarness.CreateAsync("""
            name: p
            parameters: { greeting: hello, n: 2 }
            steps:
              a: { kind: command, with: { program: ok, args: "${{ params.greeting }},world" } }
              b:
                kind: command
                needs: a
                with: { program: ok, args: "${{ steps.a.outputs.stdout }} x${{ params.n }}" }
              c:
                kind: command
                needs: [a, b]
                if: steps.b.outputs.exit_code == 1 && steps.a.outputs.exit_code == 2
                with: { program: ok }
            """);
        var run = await h.StartRunAsync();

        var done = await h.RunAsync(run.Id);

        Assert.Equal(PipelineRunStatus.Succeeded, done.Status);
        Assert.Null(done.Owner);
        var steps = await h.StepsAsync(run.Id);
        Assert.Equal("hello world", JsonNode.Parse(steps["a"].OutputsJson!)!["stdout"]!.GetValue<string>());
        Assert.Equal("hello world x2", JsonNode.Parse(steps["b"].OutputsJson!)!["stdout"]!.GetValue<string>());
        Assert.Equal(PipelineStepStatus.Succeeded, steps["c"].Status);
        Assert.Equal("""{"program":"ok","args":["hello world x2"]}""", steps["b"].InputsJson);
        Assert.Contains("running ok hello world", await h.LogAsync(run.Id, "a"));
    }

    [Fact]
    public async Task Run_FailingStep_RetriesWithDoublingBackoffThenSucceeds()
    {
        await using var h = await EngineHarness.CreateAsync("""
            name: p
            steps:
              flaky:
                kind: command
                retries: { limit: 3, backoff: 10s, max_delay: 15s }
                with: { program: ok }
            """);
        h.Steps.FailTimes("flaky", 3);
        var run = await h.StartRunAsync();

        var done = await h.RunAsync(run.Id);

        Assert.Equal(PipelineRunStatus.Succeeded, done.Status);
        // Each retry starts no sooner than its backoff after the failure was recorded: 10 s, then 20 s capped to 15 s.
        var starts = h.Steps.Attempts.Select(a => a.At).ToList();
        var failures = (await h.Store.ReadLogAsync(run.Id, "flaky", 0, 100, default)).Where(l => l.Text.StartsWith("retrying in", StringComparison.Ordinal)).ToList();
        Assert.Equal([1, 2, 3, 4], h.Steps.Attempts.Select(a => a.Attempt));
        Assert.Equal(["retrying in 10s (3 retries left)", "retrying in 15s (2 retries left)", "retrying in 15s (1 retries left)"], failures.Select(l => l.Text));
        AssertGap(failures[0].Time, starts[1], TimeSpan.FromSeconds(10));
        AssertGap(failures[1].Time, starts[2], TimeSpan.FromSeconds(15));
        AssertGap(failures[2].Time, starts[3], TimeSpan.FromSeconds(15));
        var step = (await h.StepsAsync(run.Id))["flaky"];
        Assert.Equal((4, PipelineStepStatus.Succeeded), (step.Attempt, step.Status));
        var log = await h.LogAsync(run.Id, "flaky");
        Assert.Contains("attempt 1 failed: scripted failure, 2 left", log);
        Assert.Contains("attempt 4 of 4 started", log);
    }

    [Fact]
    public async Task Run_RetriesExhausted_FailsTheStepSkipsItsDependentsAndFailsTheRun()
    {
        await using var h = await EngineHarness.CreateAsync("""
            name: p
            steps:
              a: { kind: command, retries: { limit: 1, backoff: 5s }, with: { program: ok } }
              b: { kind: command, needs: a, with: { program: ok } }
              c: { kind: command, needs: b, with: { program: ok } }
              side: { kind: command, with: { program: ok } }
            """);
        h.Steps.FailTimes("a", 5);
        var run = await h.StartRunAsync();

        var done = await h.RunAsync(run.Id);

        Assert.Equal(PipelineRunStatus.Failed, done.Status);
        Assert.Equal("step 'a' failed: scripted failure, 3 left", done.Error);
        var steps = await h.StepsAsync(run.Id);
        Assert.Equal((PipelineStepStatus.Failed, 2), (steps["a"].Status, steps["a"].Attempt));
        Assert.Equal((PipelineStepStatus.Skipped, "not run: step 'a' failed"), (steps["b"].Status, steps["b"].Error));
        Assert.Equal((PipelineStepStatus.Skipped, "not run: step 'b' was skipped"), (steps["c"].Status, steps["c"].Error));
        Assert.Equal(PipelineStepStatus.Succeeded, steps["side"].Status);
    }

    [Fact]
    public async Task Run_PermanentFailure_IsNotRetried()
    {
        await using var h = await EngineHarness.CreateAsync("name: p\nsteps:\n  a: { kind: command, retries: 5, with: { program: fail } }\n");
        var run = await h.StartRunAsync();

        var done = await h.RunAsync(run.Id);

        Assert.Equal(PipelineRunStatus.Failed, done.Status);
        Assert.Equal(1, h.Steps.Calls("a"));
    }

    [Fact]
    public async Task Run_StepOverItsTimeout_IsStoppedAndFailed()
    {
        await using var h = await EngineHarness.CreateAsync("name: p\nsteps:\n  slow: { kind: command, timeout: 30s, with: { program: hang } }\n");
        var run = await h.StartRunAsync();

        var done = await h.RunAsync(run.Id);

        Assert.Equal(PipelineRunStatus.Failed, done.Status);
        var step = (await h.StepsAsync(run.Id))["slow"];
        Assert.Equal("timed out after 30s", step.Error);
        AssertGap(step.StartedAt!.Value, step.FinishedAt!.Value, TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task Run_FalseCondition_SkipsTheStepAndItsDependents_AndTheRunSucceeds()
    {
        await using var h = await EngineHarness.CreateAsync("""
            name: p
            parameters: { deploy: false }
            steps:
              evaluate: { kind: command, with: { program: ok } }
              register: { kind: command, needs: evaluate, if: "params.deploy && steps.evaluate.outputs.exit_code == 0", with: { program: ok } }
              canary: { kind: command, needs: register, with: { program: ok } }
            """);
        var run = await h.StartRunAsync();

        var done = await h.RunAsync(run.Id);

        Assert.Equal(PipelineRunStatus.Succeeded, done.Status);
        var steps = await h.StepsAsync(run.Id);
        Assert.Equal(PipelineStepStatus.Skipped, steps["register"].Status);
        Assert.Equal("condition is false: params.deploy && steps.evaluate.outputs.exit_code == 0 (params.deploy = false, steps.evaluate.outputs.exit_code = 0)", steps["register"].Error);
        Assert.Equal(PipelineStepStatus.Skipped, steps["canary"].Status);
        Assert.Equal(0, h.Steps.Calls("register"));
    }

    [Fact]
    public async Task Run_InputOfTheWrongTypeAtRunTime_FailsTheStepWithoutRetrying()
    {
        await using var h = await EngineHarness.CreateAsync("""
            name: p
            steps:
              a: { kind: command, with: { program: ok, args: "not,a,number" } }
              b: { kind: command, needs: a, retries: 3, with: { program: ok, working_directory: "${{ steps.a.outputs.stdout }}" } }
              c: { kind: data, needs: a, retries: 3, with: { source: generator, rows: "${{ steps.a.outputs.stdout }}" } }
            """);
        var run = await h.StartRunAsync();

        var done = await h.RunAsync(run.Id);

        var steps = await h.StepsAsync(run.Id);
        Assert.Equal(PipelineStepStatus.Succeeded, steps["b"].Status);
        Assert.Equal((PipelineStepStatus.Failed, "input rows: must be a whole number, not \"not a number\""), (steps["c"].Status, steps["c"].Error));
        Assert.Equal(PipelineRunStatus.Failed, done.Status);
    }

    [Fact]
    public async Task Run_SameInputsAgain_IsServedFromTheCache_AndOtherInputsAreNot()
    {
        const string yaml = """
            name: p
            parameters: { size: 3 }
            steps:
              build: { kind: command, cache: true, with: { program: ok, args: "${{ params.size }}" } }
              ship: { kind: command, needs: build, with: { program: ok, args: "${{ steps.build.outputs.stdout }}" } }
            """;
        await using var h = await EngineHarness.CreateAsync(yaml);
        var first = await h.RunAsync((await h.StartRunAsync()).Id);
        var second = await h.RunAsync((await h.StartRunAsync()).Id);
        var third = await h.RunAsync((await h.StartRunAsync(parameters: new() { ["size"] = "4" })).Id);
        h.Steps.Identity = "the file changed";
        var fourth = await h.RunAsync((await h.StartRunAsync()).Id);

        var steps = await h.StepsAsync(second.Id);
        Assert.Equal((PipelineStepStatus.Cached, first.Id), (steps["build"].Status, steps["build"].CachedFrom));
        Assert.Equal("""{"exit_code":1,"stdout":"3"}""", steps["build"].OutputsJson);
        Assert.Equal(PipelineStepStatus.Succeeded, steps["ship"].Status); // not cacheable by default
        Assert.Equal(PipelineStepStatus.Succeeded, (await h.StepsAsync(third.Id))["build"].Status);
        Assert.Equal(PipelineStepStatus.Succeeded, (await h.StepsAsync(fourth.Id))["build"].Status);
        Assert.Equal(3, h.Steps.Calls("build"));
        Assert.Equal(4, h.Steps.Calls("ship"));
    }

    [Fact]
    public async Task Run_TakenOverAfterACrash_RetriesTheInterruptedStepOnce_AndKeepsFinishedOnes()
    {
        await using var h = await EngineHarness.CreateAsync("""
            name: p
            steps:
              a: { kind: command, with: { program: ok } }
              b: { kind: command, needs: a, retries: 1, with: { program: ok } }
            """);
        var run = await h.StartRunAsync();
        // replica-a finished a, started b, and died: its heartbeat stops.
        Assert.True(await h.Store.TryClaimRunAsync(run.Id, "replica-a", h.Time.GetUtcNow(), h.Time.GetUtcNow(), default));
        var steps = await h.StepsAsync(run.Id);
        Assert.True(await h.Store.SaveAsync("replica-a", run with { Status = PipelineRunStatus.Running, StartedAt = h.Time.GetUtcNow() },
        [
            steps["a"] with { Status = PipelineStepStatus.Succeeded, Attempt = 1, OutputsJson = """{"exit_code":0,"stdout":""}""" },
            steps["b"] with { Status = PipelineStepStatus.Running, Attempt = 1, StartedAt = h.Time.GetUtcNow() },
        ], h.Time.GetUtcNow(), default));
        h.Time.Advance(TimeSpan.FromSeconds(31));
        Assert.Equal([run.Id], (await h.Store.ListOrphanedRunsAsync(h.Time.GetUtcNow() - h.Options.OwnerTimeout, 10, default)).Select(r => r.Id));

        var done = await h.RunAsync(run.Id, owner: "replica-b");

        Assert.Equal(PipelineRunStatus.Succeeded, done.Status);
        Assert.Equal(0, h.Steps.Calls("a"));
        Assert.Equal([2], h.Steps.Attempts.Where(a => a.Step == "b").Select(a => a.Attempt));
        Assert.Contains("attempt interrupted: the replica running it stopped", await h.LogAsync(run.Id, "b"));
    }

    [Fact]
    public async Task Run_TakenOverWithNoRetriesLeft_FailsTheInterruptedStep()
    {
        await using var h = await EngineHarness.CreateAsync("name: p\nsteps:\n  b: { kind: command, with: { program: ok } }\n");
        var run = await h.StartRunAsync();
        await h.Store.TryClaimRunAsync(run.Id, "replica-a", h.Time.GetUtcNow(), h.Time.GetUtcNow(), default);
        var steps = await h.StepsAsync(run.Id);
        await h.Store.SaveAsync("replica-a", run with { Status = PipelineRunStatus.Running }, [steps["b"] with { Status = PipelineStepStatus.Running, Attempt = 1 }], h.Time.GetUtcNow(), default);
        h.Time.Advance(TimeSpan.FromMinutes(1));

        var done = await h.RunAsync(run.Id, owner: "replica-b");

        Assert.Equal(PipelineRunStatus.Failed, done.Status);
        Assert.Equal("interrupted: the replica running it stopped", (await h.StepsAsync(run.Id))["b"].Error);
        Assert.Equal(0, h.Steps.Calls("b"));
    }

    [Fact]
    public async Task RetryRun_AfterAFailure_RunsOnlyTheFailedStepAndWhatFollows()
    {
        await using var h = await EngineHarness.CreateAsync("""
            name: p
            steps:
              a: { kind: command, with: { program: ok } }
              b: { kind: command, needs: a, with: { program: ok } }
              c: { kind: command, needs: b, with: { program: ok } }
            """);
        h.Steps.FailTimes("b", 1);
        var run = await h.StartRunAsync();
        Assert.Equal(PipelineRunStatus.Failed, (await h.RunAsync(run.Id)).Status);

        Assert.True(await h.Store.RetryRunAsync(run.Id, default));
        var done = await h.RunAsync(run.Id, owner: "replica-b");

        Assert.Equal((PipelineRunStatus.Succeeded, 2), (done.Status, done.Attempt));
        Assert.Equal((1, 2, 1), (h.Steps.Calls("a"), h.Steps.Calls("b"), h.Steps.Calls("c")));
    }

    [Fact]
    public async Task Cancel_StopsTheRunningStepAndCancelsTheRest()
    {
        await using var h = await EngineHarness.CreateAsync("""
            name: p
            steps:
              slow: { kind: command, with: { program: hang } }
              after: { kind: command, needs: slow, with: { program: ok } }
            """);
        var run = await h.StartRunAsync();

        var done = await h.RunAsync(run.Id, duringRun: () => h.Store.RequestCancelAsync(run.Id, default));

        Assert.Equal(PipelineRunStatus.Cancelled, done.Status);
        var steps = await h.StepsAsync(run.Id);
        Assert.Equal(PipelineStepStatus.Cancelled, steps["slow"].Status);
        Assert.Equal((PipelineStepStatus.Cancelled, "the run was cancelled"), (steps["after"].Status, steps["after"].Error));
    }

    [Fact]
    public async Task WaitingStep_ShowsTheRunAsWaiting_UntilItIsDecided()
    {
        await using var h = await EngineHarness.CreateAsync("name: p\nsteps:\n  approve: { kind: command, with: { program: wait } }\n");
        var run = await h.StartRunAsync();
        PipelineRunStatus? seen = null;

        var done = await h.RunAsync(run.Id, duringRun: async () =>
        {
            // The step marks itself waiting on its own schedule; a slow machine may need more than three ticks.
            var until = DateTime.UtcNow.AddSeconds(20);
            do
            {
                seen = (await h.Store.GetRunAsync(run.Id, default))!.Status;
            }
            while (seen != PipelineRunStatus.Waiting && DateTime.UtcNow < until && await DelayAsync());

            h.Steps.Decision.SetResult(new JsonObject { ["approved"] = true });
        });

        Assert.Equal(PipelineRunStatus.Waiting, seen);
        Assert.Equal(PipelineRunStatus.Succeeded, done.Status);
    }

    [Fact]
    public async Task Run_WhenAnotherReplicaTookItOver_StopsWritingToIt()
    {
        await using var h = await EngineHarness.CreateAsync("name: p\nsteps:\n  slow: { kind: command, with: { program: hang } }\n");
        var run = await h.StartRunAsync();

        var done = await h.RunAsync(run.Id, duringRun: async () =>
        {
            // replica-a's heartbeat is declared stale by replica-b's clock; it takes the run.
            Assert.True(await h.Store.TryClaimRunAsync(run.Id, "replica-b", h.Time.GetUtcNow(), h.Time.GetUtcNow().AddMinutes(1), default));
        });

        var stored = (await h.Store.GetRunAsync(run.Id, default))!;
        Assert.Equal("replica-b", stored.Owner);
        Assert.Equal(PipelineStepStatus.Running, (await h.StepsAsync(run.Id))["slow"].Status);
        Assert.False(done.IsFinished);
    }

    private static async Task<bool> DelayAsync()
    {
        await Task.Delay(20);
        return true;
    }

    private static void AssertGap(DateTimeOffset from, DateTimeOffset to, TimeSpan expected)
    {
        var gap = to - from;
        // The fake clock moves a second per 15 ms while the engine waits, so a busy machine can add a few seconds, never remove any.
        Assert.True(gap >= expected && gap <= expected + TimeSpan.FromSeconds(10), $"expected {expected} (up to 10 s more), was {gap}");
    }
}
