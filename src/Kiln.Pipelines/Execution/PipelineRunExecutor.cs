using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Kiln.Core;
using Kiln.Core.Pipelines;
using Kiln.Pipelines.Definitions;
using Kiln.Pipelines.Expressions;
using Microsoft.Extensions.Logging;

namespace Kiln.Pipelines.Execution;

/// <summary>
/// Runs one claimed run to its end: starts steps as their needs finish, evaluates conditions, resolves and type-checks
/// inputs, serves steps from the cache, retries failed attempts with backoff, enforces timeouts, honours cancel
/// requests, and stores every change under the run's owner (so a replica that lost the run stops writing to it).
/// A step found running when the run is taken over was interrupted: it is retried if it has attempts left, else failed.
/// </summary>
public sealed partial class PipelineRunExecutor
{
    private readonly IPipelineStore _store;
    private readonly PipelineDefinitions _definitions;
    private readonly IReadOnlyDictionary<string, IStepExecutor> _executors;
    private readonly TimeProvider _time;
    private readonly PipelineEngineOptions _options;
    private readonly ILogger<PipelineRunExecutor> _logger;

    public PipelineRunExecutor(IPipelineStore store, PipelineDefinitions definitions, IEnumerable<IStepExecutor> executors, TimeProvider time,
        PipelineEngineOptions options, ILogger<PipelineRunExecutor> logger)
    {
        _store = store;
        _definitions = definitions;
        _executors = executors.ToDictionary(e => e.Kind, StringComparer.Ordinal);
        _time = time;
        _options = options;
        _logger = logger;
    }

    /// <summary>Raised after a run ends (on the replica that ended it), for pipeline-completion triggers.</summary>
    public event Func<PipelineRunRecord, Task>? RunFinished;

    /// <summary>Runs <paramref name="runId"/>, which <paramref name="owner"/> has claimed, until it ends, ownership is lost, or <paramref name="stopping"/> fires.</summary>
    public async Task<PipelineRunRecord?> RunAsync(string runId, string owner, CancellationToken stopping)
    {
        var run = await _store.GetRunAsync(runId, stopping);
        if (run is null || run.IsFinished || run.Owner != owner)
        {
            return run;
        }

        PipelineDefinition definition;
        try
        {
            definition = await _definitions.GetAsync(run.Pipeline, run.Version, stopping);
        }
        catch (KilnException e)
        {
            var failed = run with { Status = PipelineRunStatus.Failed, FinishedAt = _time.GetUtcNow(), Error = e.Message };
            await _store.SaveAsync(owner, failed, [], _time.GetUtcNow(), stopping);
            return failed;
        }

        var state = new RunState(this, run, definition, owner, await _store.GetStepsAsync(runId, stopping), stopping);
        return await state.RunAsync();
    }

    [LoggerMessage(EventId = 4001, Level = LogLevel.Information, Message = "Pipeline run {RunId} ({Pipeline} v{Version}) ended {Status}")]
    private partial void LogRunEnded(string runId, string pipeline, int version, PipelineRunStatus status);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Warning, Message = "Pipeline run {RunId} is now owned by another replica; this one stops running it")]
    private partial void LogOwnershipLost(string runId);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Warning, Message = "Pipeline run {RunId}: a completion trigger failed")]
    private partial void LogCompletionTriggerFailed(Exception exception, string runId);

    /// <summary>The outcome of one attempt.</summary>
    private sealed record AttemptResult(JsonObject? Outputs, string? Error, bool Retryable, bool Cancelled, bool Stopped);

    private sealed class ActiveStep(StepDefinition step, int attempt, Task<AttemptResult> task)
    {
        public StepDefinition Step { get; } = step;

        public int Attempt { get; } = attempt;

        public Task<AttemptResult> Task { get; } = task;
    }

    /// <summary>The loop of one run; all state changes happen on it.</summary>
    private sealed class RunState
    {
        private readonly PipelineRunExecutor _engine;
        private readonly PipelineDefinition _definition;
        private readonly string _owner;
        private readonly CancellationToken _stopping;
        private readonly Dictionary<string, PipelineStepRecord> _steps;
        private readonly HashSet<string> _changed = new(StringComparer.Ordinal);
        private readonly Dictionary<string, ActiveStep> _active = new(StringComparer.Ordinal);
        private readonly Channel<string> _waiting = Channel.CreateUnbounded<string>();
        private readonly CancellationTokenSource _cancel;
        private readonly RunLog _log;
        private readonly JsonObject _parameters;
        private readonly JsonObject _trigger;
        private PipelineRunRecord _run;
        private DateTimeOffset _lastSave;

        public RunState(PipelineRunExecutor engine, PipelineRunRecord run, PipelineDefinition definition, string owner, IReadOnlyList<PipelineStepRecord> steps, CancellationToken stopping)
        {
            _engine = engine;
            _run = run;
            _definition = definition;
            _owner = owner;
            _stopping = stopping;
            _steps = steps.ToDictionary(s => s.Step, StringComparer.Ordinal);
            _cancel = CancellationTokenSource.CreateLinkedTokenSource(stopping);
            _log = new RunLog(run.Id, engine._time, engine._options.MaxLogLinesPerAttempt);
            _parameters = JsonNode.Parse(run.ParametersJson) as JsonObject ?? [];
            _trigger = JsonNode.Parse(run.TriggerJson) as JsonObject ?? [];
        }

        private DateTimeOffset Now => _engine._time.GetUtcNow();

        public async Task<PipelineRunRecord?> RunAsync()
        {
            try
            {
                return await LoopAsync();
            }
            finally
            {
                await _cancel.CancelAsync();
                await Task.WhenAll(_active.Values.Select(a => (Task)a.Task));
                _cancel.Dispose();
            }
        }

        private async Task<PipelineRunRecord?> LoopAsync()
        {
            if (_run.Status == PipelineRunStatus.Queued)
            {
                _run = _run with { Status = PipelineRunStatus.Running, StartedAt = _run.StartedAt ?? Now };
            }

            TakeOver();
            while (true)
            {
                if (_stopping.IsCancellationRequested)
                {
                    await FlushLogAsync();
                    return _run; // steps stay as they are; whoever takes the run over finds them interrupted
                }

                if ((await _engine._store.GetRunAsync(_run.Id, _stopping))?.CancelRequested == true && !_cancel.IsCancellationRequested)
                {
                    await CancelAsync();
                }

                Collect();
                ReadWaitingSignals();
                SkipBlocked();
                if (!_cancel.IsCancellationRequested)
                {
                    foreach (var step in RunPlanner.Ready(_definition, _steps, Now))
                    {
                        if (!await StartAsync(step))
                        {
                            _engine.LogOwnershipLost(_run.Id);
                            return _run;
                        }
                    }

                    SkipBlocked();
                }

                var outcome = _active.Count == 0 ? RunPlanner.Outcome(_steps) : null;
                if (outcome is { } status)
                {
                    var failed = _steps.Values.FirstOrDefault(s => s.Status == PipelineStepStatus.Failed);
                    _run = _run with
                    {
                        Status = status,
                        FinishedAt = Now,
                        Owner = null,
                        Error = status switch
                        {
                            PipelineRunStatus.Failed => $"step '{failed?.Step}' failed: {failed?.Error}",
                            PipelineRunStatus.Cancelled => "cancelled",
                            _ => null,
                        },
                    };
                }
                else
                {
                    var waiting = _active.Count > 0 && _active.Keys.All(k => _steps[k].Status == PipelineStepStatus.Waiting)
                        && !_steps.Values.Any(s => s.Status == PipelineStepStatus.Retrying);
                    _run = _run with { Status = waiting ? PipelineRunStatus.Waiting : PipelineRunStatus.Running };
                }

                if (!await SaveAsync(force: outcome is not null))
                {
                    _engine.LogOwnershipLost(_run.Id);
                    return _run;
                }

                if (outcome is not null)
                {
                    _engine.LogRunEnded(_run.Id, _run.Pipeline, _run.Version, _run.Status);
                    await NotifyFinishedAsync();
                    return _run;
                }

                await WaitAsync();
            }
        }

        /// <summary>Steps left running by a replica that stopped were interrupted; waiting ones are resumed as they were.</summary>
        private void TakeOver()
        {
            foreach (var step in _definition.Steps)
            {
                var record = _steps[step.Name];
                if (record.Status == PipelineStepStatus.Running)
                {
                    Write(step.Name, record.Attempt, "attempt interrupted: the replica running it stopped");
                    Fail(step, record.Attempt, "interrupted: the replica running it stopped", retryable: true);
                }
                else if (record.Status == PipelineStepStatus.Waiting)
                {
                    Launch(step, record.Attempt, JsonNode.Parse(record.InputsJson ?? "{}") as JsonObject ?? []);
                }
            }
        }

        /// <summary>Starts a ready step (or settles it without running); false when the run turned out to belong to another replica.</summary>
        private async Task<bool> StartAsync(StepDefinition step)
        {
            var record = _steps[step.Name];
            var attempt = record.Attempt + 1;
            var scope = new RunScope(_run, _parameters, _trigger, _steps);
            if (step.If is { } condition && record.Status == PipelineStepStatus.Pending)
            {
                bool run;
                try
                {
                    run = ExpressionEvaluator.IsTruthy(ExpressionEvaluator.Evaluate(condition.Expression, scope));
                }
                catch (ExpressionException e)
                {
                    Finish(step.Name, PipelineStepStatus.Failed, $"if: {e.Message}");
                    return true;
                }

                if (!run)
                {
                    Finish(step.Name, PipelineStepStatus.Skipped, $"condition is false: {condition.Text} ({scope.Describe(condition.Expression)})");
                    return true;
                }
            }

            JsonObject inputs;
            try
            {
                inputs = ResolveInputs(step, scope);
            }
            catch (StepFailedException e)
            {
                Finish(step.Name, PipelineStepStatus.Failed, e.Message);
                return true;
            }

            if (!_engine._executors.TryGetValue(step.Kind, out var executor))
            {
                Finish(step.Name, PipelineStepStatus.Failed, $"this server has no executor for {step.Kind} steps");
                return true;
            }

            string? cacheKey = null;
            if (step.Cache)
            {
                try
                {
                    var identity = await executor.CacheIdentityAsync(Execution(step, attempt, inputs), _cancel.Token);
                    cacheKey = CacheKeys.Compute(step.Kind, inputs, identity);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    Write(step.Name, attempt, $"attempt {attempt} failed before it started: {e.Message}");
                    Fail(step, attempt, e.Message, e is not StepFailedException { Retryable: false });
                    return true;
                }

                if (await _engine._store.FindCachedAsync(_run.Pipeline, step.Name, cacheKey, _cancel.Token) is { } hit)
                {
                    Write(step.Name, attempt, $"served from the cache: the outputs of run {hit.RunId} (key {cacheKey[..19]}…)");
                    Update(step.Name, record with
                    {
                        Status = PipelineStepStatus.Cached,
                        StartedAt = record.StartedAt ?? Now,
                        FinishedAt = Now,
                        InputsJson = inputs.ToJsonString(),
                        OutputsJson = hit.OutputsJson,
                        CacheKey = cacheKey,
                        CachedFrom = hit.RunId,
                        Error = null,
                    });
                    return true;
                }
            }

            Update(step.Name, record with
            {
                Status = PipelineStepStatus.Running,
                Attempt = attempt,
                StartedAt = record.StartedAt ?? Now,
                NextAttemptAt = null,
                InputsJson = inputs.ToJsonString(),
                CacheKey = cacheKey,
                Error = null,
            });
            Write(step.Name, attempt, attempt == 1 ? $"{step.Kind} step started" : $"attempt {attempt} of {step.Retries.Limit + 1} started");

            // Stored as running before it runs: if this replica dies now, whoever takes over counts the attempt as interrupted.
            if (!await SaveAsync(force: true))
            {
                return false;
            }

            Launch(step, attempt, inputs);
            return true;
        }

        private void Launch(StepDefinition step, int attempt, JsonObject inputs)
        {
            var executor = _engine._executors[step.Kind];
            var task = RunAttemptAsync(executor, Execution(step, attempt, inputs), step.Timeout);
            _active[step.Name] = new ActiveStep(step, attempt, task);
        }

        private StepExecution Execution(StepDefinition step, int attempt, JsonObject inputs) =>
            new(_run.Id, _run.Pipeline, _run.Version, step, attempt, (JsonObject)inputs.DeepClone(), (JsonObject)_trigger.DeepClone(), _log.For(step.Name, attempt),
                ct => _waiting.Writer.WriteAsync(step.Name, ct).AsTask());

        private async Task<AttemptResult> RunAttemptAsync(IStepExecutor executor, StepExecution execution, TimeSpan timeout)
        {
            using var timer = new CancellationTokenSource(timeout, _engine._time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(_cancel.Token, timer.Token);
            try
            {
                var outputs = await Task.Run(() => executor.ExecuteAsync(execution, linked.Token), CancellationToken.None);
                return new AttemptResult(outputs, null, false, false, false);
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
            {
                return new AttemptResult(null, "the replica is stopping", true, false, true);
            }
            catch (OperationCanceledException) when (_cancel.IsCancellationRequested)
            {
                return new AttemptResult(null, "the run was cancelled", false, true, false);
            }
            catch (OperationCanceledException) when (timer.IsCancellationRequested)
            {
                return new AttemptResult(null, $"timed out after {DurationText.Format(timeout)}", true, false, false);
            }
            catch (StepFailedException e)
            {
                return new AttemptResult(null, e.Message, e.Retryable, false, false);
            }
            catch (Exception e)
            {
                return new AttemptResult(null, e.Message, true, false, false);
            }
        }

        /// <summary>Applies the outcome of every attempt that has ended.</summary>
        private void Collect()
        {
            foreach (var (name, active) in _active.Where(a => a.Value.Task.IsCompleted).ToList())
            {
                _active.Remove(name);
                var result = active.Task.Result;
                if (result.Stopped)
                {
                    continue;
                }

                if (result.Cancelled)
                {
                    Write(name, active.Attempt, "cancelled");
                    Finish(name, PipelineStepStatus.Cancelled, "the run was cancelled");
                }
                else if (result.Outputs is { } outputs)
                {
                    var declared = StepKinds.Find(active.Step.Kind)?.Outputs.Select(o => o.Name) ?? outputs.Select(o => o.Key);
                    var kept = new JsonObject(declared.Select(n => KeyValuePair.Create(n, outputs[n]?.DeepClone())));
                    Write(name, active.Attempt, $"succeeded: {PipelineValues.Show(kept)}");
                    Update(name, _steps[name] with { Status = PipelineStepStatus.Succeeded, FinishedAt = Now, OutputsJson = kept.ToJsonString(), Error = null });
                }
                else
                {
                    Write(name, active.Attempt, $"attempt {active.Attempt} failed: {result.Error}");
                    Fail(active.Step, active.Attempt, result.Error!, result.Retryable);
                }
            }
        }

        private void Fail(StepDefinition step, int attempt, string error, bool retryable)
        {
            if (retryable && attempt <= step.Retries.Limit)
            {
                var delay = step.Retries.DelayBefore(attempt);
                Write(step.Name, attempt, $"retrying in {DurationText.Format(delay)} ({step.Retries.Limit - attempt + 1} retries left)");
                Update(step.Name, _steps[step.Name] with { Status = PipelineStepStatus.Retrying, Attempt = attempt, NextAttemptAt = Now + delay, Error = error });
            }
            else
            {
                Update(step.Name, _steps[step.Name] with { Attempt = attempt });
                Finish(step.Name, PipelineStepStatus.Failed, error);
            }
        }

        private void ReadWaitingSignals()
        {
            while (_waiting.Reader.TryRead(out var name))
            {
                if (_active.ContainsKey(name) && _steps[name].Status == PipelineStepStatus.Running)
                {
                    Update(name, _steps[name] with { Status = PipelineStepStatus.Waiting });
                }
            }
        }

        private void SkipBlocked()
        {
            while (RunPlanner.Blocked(_definition, _steps) is { Count: > 0 } blocked)
            {
                foreach (var (step, reason) in blocked)
                {
                    Finish(step.Name, _cancel.IsCancellationRequested ? PipelineStepStatus.Cancelled : PipelineStepStatus.Skipped, reason);
                }
            }
        }

        private async Task CancelAsync()
        {
            await _cancel.CancelAsync();
            foreach (var step in _steps.Values.Where(s => !s.IsFinished && !_active.ContainsKey(s.Step)).ToList())
            {
                Finish(step.Step, PipelineStepStatus.Cancelled, "the run was cancelled");
            }

            await Task.WhenAll(_active.Values.Select(a => (Task)a.Task));
        }

        private JsonObject ResolveInputs(StepDefinition step, RunScope scope)
        {
            var schema = StepKinds.Find(step.Kind)!;
            var inputs = new JsonObject();
            foreach (var (name, input) in step.With)
            {
                JsonNode? value;
                try
                {
                    value = input.Value.Evaluate(scope);
                }
                catch (ExpressionException e)
                {
                    throw new StepFailedException($"input {name}: {e.Message}");
                }

                var spec = schema.Input(name)!;
                var coerced = PipelineValues.Coerce(value, spec.Type, out var problem);
                if (problem is not null)
                {
                    throw new StepFailedException($"input {name}: {problem}");
                }

                if (spec.Choices is { } choices && coerced is not null && !choices.Contains(ExpressionEvaluator.ToText(coerced)))
                {
                    throw new StepFailedException($"input {name}: must be one of {string.Join(", ", choices)}, not {PipelineValues.Show(coerced)}");
                }

                if (coerced is not null)
                {
                    inputs[name] = coerced;
                }
            }

            foreach (var missing in schema.Inputs.Where(i => i.Required && inputs[i.Name] is null))
            {
                throw new StepFailedException($"input {missing.Name}: has no value (its expression gave null)");
            }

            return inputs;
        }

        private void Finish(string step, PipelineStepStatus status, string? reason)
        {
            if (status is PipelineStepStatus.Skipped or PipelineStepStatus.Failed && reason is not null)
            {
                Write(step, Math.Max(_steps[step].Attempt, 1), reason);
            }

            Update(step, _steps[step] with { Status = status, FinishedAt = Now, NextAttemptAt = null, Error = reason });
        }

        private void Update(string step, PipelineStepRecord record)
        {
            _steps[step] = record;
            _changed.Add(step);
        }

        private void Write(string step, int attempt, string line) => _log.Write(step, attempt, line);

        private async Task<bool> SaveAsync(bool force)
        {
            await FlushLogAsync();
            if (!force && _changed.Count == 0 && Now - _lastSave < _engine._options.HeartbeatInterval)
            {
                return true;
            }

            var changed = _changed.Select(s => _steps[s]).ToList();
            if (!await _engine._store.SaveAsync(_owner, _run, changed, Now, CancellationToken.None))
            {
                await _cancel.CancelAsync();
                return false;
            }

            _changed.Clear();
            _lastSave = Now;
            return true;
        }

        private async Task FlushLogAsync()
        {
            if (_log.Drain() is { Count: > 0 } lines)
            {
                await _engine._store.AppendLogAsync(lines, CancellationToken.None);
            }
        }

        private async Task WaitAsync()
        {
            var wait = _engine._options.PollInterval;
            if (RunPlanner.NextRetry(_steps) is { } retry && retry - Now < wait)
            {
                wait = retry - Now < TimeSpan.Zero ? TimeSpan.Zero : retry - Now;
            }

            using var wake = CancellationTokenSource.CreateLinkedTokenSource(_stopping);
            var delay = Task.Delay(wait, _engine._time, wake.Token);
            var signal = _waiting.Reader.WaitToReadAsync(wake.Token).AsTask();
            await Task.WhenAny(_active.Values.Select(a => (Task)a.Task).Append(delay).Append(signal));
            await wake.CancelAsync();
            try
            {
                await Task.WhenAll(delay, signal);
            }
            catch (OperationCanceledException)
            {
                // the wait that did not end it was cancelled, as meant
            }
        }

        private async Task NotifyFinishedAsync()
        {
            if (_engine.RunFinished is { } handlers)
            {
                foreach (var handler in handlers.GetInvocationList().Cast<Func<PipelineRunRecord, Task>>())
                {
                    try
                    {
                        await handler(_run);
                    }
                    catch (Exception e)
                    {
                        _engine.LogCompletionTriggerFailed(e, _run.Id);
                    }
                }
            }
        }
    }
}
