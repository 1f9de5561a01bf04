using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Kiln.Core.Pipelines;
using Kiln.Pipelines.Definitions;
using Kiln.Pipelines.Execution;
using Kiln.Storage;
using Kiln.Storage.Stores;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Kiln.Pipelines.Tests.Execution;

/// <summary>The engine on a real store (a temporary SQLite file) and a fake clock, with scripted step executors.</summary>
internal sealed class EngineHarness : IAsyncDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 12, 7, 3, 0, 0, TimeSpan.Zero);

    private readonly string _file = Path.Combine(Path.GetTempPath(), $"kiln-engine-{Guid.NewGuid():N}.db");

    private EngineHarness()
    {
        var contexts = new Factory(new DbContextOptionsBuilder<KilnDbContext>().UseSqlite($"Data Source={_file}").Options);
        using (var db = contexts.CreateDbContext())
        {
            db.Database.Migrate();
        }

        Store = new EfPipelineStore(contexts);
        Steps.Clock = Time;
        Definitions = new PipelineDefinitions(Store);
        Starter = new PipelineRunStarter(Store, Definitions, Time);
    }

    public FakeTimeProvider Time { get; } = new(Start);

    public EfPipelineStore Store { get; }

    public PipelineDefinitions Definitions { get; }

    public PipelineRunStarter Starter { get; }

    public ScriptedExecutor Steps { get; } = new();

    public PipelineEngineOptions Options { get; } = new();

    public static async Task<EngineHarness> CreateAsync(string yaml)
    {
        var harness = new EngineHarness();
        await harness.ApplyAsync(yaml);
        return harness;
    }

    public async Task ApplyAsync(string yaml)
    {
        var file = PipelineFileReader.Read(yaml);
        Assert.True(file.IsValid, string.Join("\n", file.Problems));
        var digest = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(yaml)));
        await Store.ApplyAsync(file.Definition!.Name, yaml, digest, null, null, Time.GetUtcNow(), default);
    }

    public PipelineRunExecutor Engine() => new(Store, Definitions, [Steps], Time, Options, NullLogger<PipelineRunExecutor>.Instance);

    public async Task<PipelineRunRecord> StartRunAsync(string pipeline = "p", Dictionary<string, JsonNode?>? parameters = null) =>
        (await Starter.StartAsync(pipeline, null, RunTrigger.Manual("test"), parameters ?? [], "test", default))!;

    /// <summary>Claims and runs a run to its end, advancing the fake clock one second at a time while the engine waits.</summary>
    public async Task<PipelineRunRecord> RunAsync(string runId, string owner = "replica-a", Func<Task>? duringRun = null, PipelineRunExecutor? engine = null)
    {
        Assert.True(await Store.TryClaimRunAsync(runId, owner, Time.GetUtcNow(), Time.GetUtcNow() - Options.OwnerTimeout, default));
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var task = (engine ?? Engine()).RunAsync(runId, owner, stop.Token);
        await DriveAsync(task, duringRun);
        return (await task)!;
    }

    public async Task DriveAsync(Task task, Func<Task>? duringRun = null)
    {
        var ticks = 0;
        while (!task.IsCompleted)
        {
            await Task.Delay(15);
            if (duringRun is not null && ++ticks == 3)
            {
                await duringRun();
            }

            Time.Advance(TimeSpan.FromSeconds(1));
        }
    }

    public async Task<Dictionary<string, PipelineStepRecord>> StepsAsync(string runId) =>
        (await Store.GetStepsAsync(runId, default)).ToDictionary(s => s.Step);

    public async Task<List<string>> LogAsync(string runId, string? step = null) =>
        (await Store.ReadLogAsync(runId, step, 0, 1000, default)).Select(l => l.Text).ToList();

    public ValueTask DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        File.Delete(_file);
        return ValueTask.CompletedTask;
    }

    private sealed class Factory(DbContextOptions<KilnDbContext> options) : IDbContextFactory<KilnDbContext>
    {
        public KilnDbContext CreateDbContext() => new(options);
    }
}

/// <summary>
/// Runs <c>command</c> steps by script: the step's <c>program</c> input names a behaviour (ok, fail, hang, wait, echo),
/// and every attempt is recorded with the fake time it started at.
/// </summary>
internal sealed class ScriptedExecutor : IStepExecutor
{
    private readonly ConcurrentDictionary<string, int> _failuresLeft = new();

    public string Kind => StepKinds.Command;

    public ConcurrentQueue<(string Step, int Attempt, DateTimeOffset At, JsonObject Inputs)> Attempts { get; } = new();

    public TaskCompletionSource<JsonObject> Decision { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TimeProvider? Clock { get; set; }

    /// <summary>Makes the named step fail this many times before it succeeds (it then echoes like <c>ok</c>).</summary>
    public void FailTimes(string step, int times) => _failuresLeft[step] = times;

    public string? Identity { get; set; }

    public int Calls(string step) => Attempts.Count(a => a.Step == step);

    public ValueTask<string?> CacheIdentityAsync(StepExecution step, CancellationToken cancellationToken) => ValueTask.FromResult(Identity);

    public async Task<JsonObject> ExecuteAsync(StepExecution step, CancellationToken cancellationToken)
    {
        Attempts.Enqueue((step.Step.Name, step.Attempt, Clock?.GetUtcNow() ?? default, step.Inputs));
        step.Log.Write($"running {step.Text("program")} {string.Join(' ', step.List("args") ?? [])}");
        if (_failuresLeft.TryGetValue(step.Step.Name, out var left) && left > 0)
        {
            _failuresLeft[step.Step.Name] = left - 1;
            throw new InvalidOperationException($"scripted failure, {left - 1} left");
        }

        switch (step.Text("program"))
        {
            case "fail":
                throw new StepFailedException("scripted permanent failure");
            case "hang":
                await Task.Delay(Timeout.Infinite, cancellationToken);
                break;
            case "wait":
                await step.MarkWaitingAsync(cancellationToken);
                return await Decision.Task.WaitAsync(cancellationToken);
        }

        return new JsonObject { ["exit_code"] = step.List("args")?.Count ?? 0, ["stdout"] = string.Join(' ', step.List("args") ?? []) };
    }
}
