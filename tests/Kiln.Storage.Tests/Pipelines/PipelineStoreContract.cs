using Kiln.Core;
using Kiln.Core.Errors;
using Kiln.Core.Pipelines;

namespace Kiln.Storage.Tests.Pipelines;

/// <summary>What every <see cref="IPipelineStore"/> must do, run against SQLite and PostgreSQL.</summary>
public abstract class PipelineStoreContract
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 7, 3, 0, 0, TimeSpan.Zero);

    protected abstract Task<(IPipelineStore Store, IAsyncDisposable Lifetime)> OpenAsync();

    protected async Task Apply_SameTextTwice_MakesOneVersion_AndChangedTextTheNext()
    {
        var (store, lifetime) = await OpenAsync();
        await using var _ = lifetime;

        var (first, created) = await store.ApplyAsync("retrain", "a: 1", "d1", "first", "alice", T0, default);
        var (again, createdAgain) = await store.ApplyAsync("retrain", "a: 1", "d1", "first", "bob", T0.AddMinutes(1), default);
        var (second, _) = await store.ApplyAsync("retrain", "a: 2", "d2", null, "bob", T0.AddMinutes(2), default);
        await store.ApplyAsync("other", "b: 1", "d3", null, null, T0, default);

        Assert.True(created);
        Assert.False(createdAgain);
        Assert.Equal((1, 1, 2), (first.Version, again.Version, second.Version));
        Assert.Equal("a: 2", (await store.GetVersionAsync("retrain", null, default))!.Source);
        Assert.Equal("first", (await store.GetVersionAsync("retrain", 1, default))!.Description);
        Assert.Null(await store.GetVersionAsync("retrain", 3, default));
        Assert.Equal([("other", 1), ("retrain", 2)], (await store.ListLatestAsync(default)).Select(v => (v.Pipeline, v.Version)));
        Assert.Equal([2, 1], (await store.ListVersionsAsync("retrain", default)).Select(v => v.Version));
    }

    protected async Task CreateRun_SameTriggerKey_StartsOneRun()
    {
        var (store, lifetime) = await OpenAsync();
        await using var _ = lifetime;
        await store.ApplyAsync("retrain", "a: 1", "d1", null, null, T0, default);

        Assert.True(await store.CreateRunAsync(Run("r1", "cron:0 3 * * *:2026-12-07T03:00Z"), Steps("r1"), default));
        Assert.False(await store.CreateRunAsync(Run("r2", "cron:0 3 * * *:2026-12-07T03:00Z"), Steps("r2"), default));
        Assert.True(await store.CreateRunAsync(Run("r3", null), Steps("r3"), default));
        Assert.True(await store.CreateRunAsync(Run("r4", null, T0.AddMinutes(1)), Steps("r4"), default));

        Assert.Null(await store.GetRunAsync("r2", default));
        Assert.Empty(await store.GetStepsAsync("r2", default));
        Assert.Equal(["r4", "r3", "r1"], (await store.ListRunsAsync("retrain", 10, null, default)).Select(r => r.Id));
        Assert.Equal(["fetch", "train"], (await store.GetStepsAsync("r1", default)).Select(s => s.Step));
    }

    protected async Task Claim_OneOwnerAtATime_UntilItsHeartbeatIsStale()
    {
        var (store, lifetime) = await OpenAsync();
        await using var _ = lifetime;
        await store.CreateRunAsync(Run("r1", null), Steps("r1"), default);

        Assert.Equal(["r1"], (await store.ListOrphanedRunsAsync(T0, 10, default)).Select(r => r.Id));
        Assert.True(await store.TryClaimRunAsync("r1", "replica-a", T0, T0.AddSeconds(-30), default));
        Assert.False(await store.TryClaimRunAsync("r1", "replica-b", T0.AddSeconds(10), T0.AddSeconds(-20), default));
        Assert.Empty(await store.ListOrphanedRunsAsync(T0.AddSeconds(-20), 10, default));

        // replica-a goes quiet: after 30 s without a heartbeat, replica-b may take over, and replica-a can no longer save.
        Assert.True(await store.TryClaimRunAsync("r1", "replica-b", T0.AddSeconds(31), T0.AddSeconds(1), default));
        var run = (await store.GetRunAsync("r1", default))!;
        Assert.Equal("replica-b", run.Owner);
        Assert.False(await store.SaveAsync("replica-a", run with { Status = PipelineRunStatus.Failed }, [], T0.AddSeconds(32), default));
        Assert.Equal(PipelineRunStatus.Queued, (await store.GetRunAsync("r1", default))!.Status);
    }

    protected async Task Save_StoresRunAndSteps_AndAFinishedRunHasNoOwner()
    {
        var (store, lifetime) = await OpenAsync();
        await using var _ = lifetime;
        await store.CreateRunAsync(Run("r1", null), Steps("r1"), default);
        await store.TryClaimRunAsync("r1", "a", T0, T0, default);
        var run = (await store.GetRunAsync("r1", default))!;
        var fetch = (await store.GetStepsAsync("r1", default))[0];

        Assert.True(await store.SaveAsync("a", run with { Status = PipelineRunStatus.Running, StartedAt = T0 },
            [fetch with { Status = PipelineStepStatus.Succeeded, Attempt = 1, StartedAt = T0, FinishedAt = T0.AddSeconds(5), OutputsJson = """{"rows":5}""", CacheKey = "k1" }],
            T0.AddSeconds(5), default));
        Assert.True(await store.SaveAsync("a", run with { Status = PipelineRunStatus.Succeeded, StartedAt = T0, FinishedAt = T0.AddSeconds(9), Error = new string('x', 5000) }, [], T0.AddSeconds(9), default));

        var stored = (await store.GetRunAsync("r1", default))!;
        Assert.Equal((PipelineRunStatus.Succeeded, (string?)null, T0.AddSeconds(9)), (stored.Status, stored.Owner, stored.FinishedAt));
        Assert.Equal(4000, stored.Error!.Length);
        var step = (await store.GetStepsAsync("r1", default))[0];
        Assert.Equal((PipelineStepStatus.Succeeded, 1, """{"rows":5}""", T0.AddSeconds(5)), (step.Status, step.Attempt, step.OutputsJson, step.FinishedAt));
        Assert.Empty(await store.ListOrphanedRunsAsync(T0.AddDays(1), 10, default));
        Assert.False(await store.TryClaimRunAsync("r1", "b", T0.AddDays(1), T0.AddDays(1), default));

        var cached = await store.FindCachedAsync("retrain", "fetch", "k1", default);
        Assert.Equal("r1", cached!.RunId);
        Assert.Null(await store.FindCachedAsync("other", "fetch", "k1", default));
        Assert.Null(await store.FindCachedAsync("retrain", "train", "k1", default));
    }

    protected async Task CancelDecideAndRetry_ChangeOnlyWhatTheyMay()
    {
        var (store, lifetime) = await OpenAsync();
        await using var _ = lifetime;
        await store.CreateRunAsync(Run("r1", null), Steps("r1"), default);
        await store.TryClaimRunAsync("r1", "a", T0, T0, default);
        var run = (await store.GetRunAsync("r1", default))!;
        var steps = await store.GetStepsAsync("r1", default);

        Assert.False(await store.DecideAsync("r1", "train", """{"approved":true}""", default)); // not waiting
        await store.SaveAsync("a", run with { Status = PipelineRunStatus.Waiting }, [steps[1] with { Status = PipelineStepStatus.Waiting }], T0, default);
        Assert.True(await store.DecideAsync("r1", "train", """{"approved":true,"by":"alice"}""", default));
        Assert.False(await store.DecideAsync("r1", "train", """{"approved":false}""", default)); // decided already
        Assert.Equal("""{"approved":true,"by":"alice"}""", (await store.GetStepsAsync("r1", default))[1].DecisionJson);

        Assert.True(await store.RequestCancelAsync("r1", default));
        Assert.True((await store.GetRunAsync("r1", default))!.CancelRequested);
        Assert.False(await store.RetryRunAsync("r1", default)); // not finished

        await store.SaveAsync("a", run with { Status = PipelineRunStatus.Failed, FinishedAt = T0, Error = "train failed" },
            [steps[0] with { Status = PipelineStepStatus.Succeeded, OutputsJson = "{}" }, steps[1] with { Status = PipelineStepStatus.Failed, Attempt = 3, Error = "boom" }], T0, default);
        Assert.False(await store.RequestCancelAsync("r1", default));
        Assert.True(await store.RetryRunAsync("r1", default));
        Assert.False(await store.RetryRunAsync("r1", default));

        var retried = (await store.GetRunAsync("r1", default))!;
        Assert.Equal((PipelineRunStatus.Queued, 2, (string?)null, false, (string?)null), (retried.Status, retried.Attempt, retried.Owner, retried.CancelRequested, retried.Error));
        var after = await store.GetStepsAsync("r1", default);
        Assert.Equal([(PipelineStepStatus.Succeeded, 0), (PipelineStepStatus.Pending, 0)], after.Select(s => (s.Status, s.Attempt)));
        Assert.Null(after[1].DecisionJson);
        Assert.Equal("{}", after[0].OutputsJson);
    }

    protected async Task Logs_ReadInOrderAfterASequence_AndDeleteTakesEverything()
    {
        var (store, lifetime) = await OpenAsync();
        await using var _ = lifetime;
        await store.ApplyAsync("retrain", "a: 1", "d1", null, null, T0, default);
        await store.CreateRunAsync(Run("r1", null), Steps("r1"), default);
        await store.AppendLogAsync([Line("fetch", "one"), Line("fetch", "two"), Line("train", "three"), Line("train", new string('y', 5000))], default);

        var all = await store.ReadLogAsync("r1", null, 0, 100, default);
        Assert.Equal(["one", "two", "three"], all.Take(3).Select(l => l.Text));
        Assert.Equal(4000, all[3].Text.Length);
        Assert.Equal(["three"], (await store.ReadLogAsync("r1", "train", 0, 1, default)).Select(l => l.Text));
        Assert.Equal(["three"], (await store.ReadLogAsync("r1", null, all[1].Sequence, 1, default)).Select(l => l.Text));

        var error = await Assert.ThrowsAsync<KilnException>(() => store.DeleteAsync("retrain", default));
        Assert.Equal(KilnErrorKind.Conflict, error.Kind);
        await store.TryClaimRunAsync("r1", "a", T0, T0, default);
        await store.SaveAsync("a", (await store.GetRunAsync("r1", default))! with { Status = PipelineRunStatus.Cancelled }, [], T0, default);

        Assert.True(await store.DeleteAsync("retrain", default));
        Assert.False(await store.DeleteAsync("retrain", default));
        Assert.Null(await store.GetRunAsync("r1", default));
        Assert.Empty(await store.ReadLogAsync("r1", null, 0, 100, default));
        Assert.Null(await store.GetVersionAsync("retrain", null, default));
    }

    private static PipelineRunRecord Run(string id, string? key, DateTimeOffset? at = null) =>
        new(id, "retrain", 1, PipelineRunStatus.Queued, key is null ? "manual" : "cron", "test", "{}", key, "{}", at ?? T0,
            null, null, null, 1, null, null, false, "alice");

    private static PipelineStepRecord[] Steps(string run) =>
    [
        new(run, "fetch", "data", PipelineStepStatus.Pending, 0, null, null, null, null, null, null, null, null, null),
        new(run, "train", "approval", PipelineStepStatus.Pending, 0, null, null, null, null, null, null, null, null, null),
    ];

    private static PipelineLogLine Line(string step, string text) => new(0, "r1", step, 1, T0, text);
}
