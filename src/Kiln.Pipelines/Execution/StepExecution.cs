using System.Text.Json.Nodes;
using Kiln.Pipelines.Definitions;
using Kiln.Pipelines.Expressions;

namespace Kiln.Pipelines.Execution;

/// <summary>One attempt of one step, as its executor sees it: the resolved inputs, where it belongs, and its log.</summary>
public sealed class StepExecution
{
    private readonly Func<CancellationToken, Task> _markWaiting;

    internal StepExecution(string runId, string pipeline, int pipelineVersion, StepDefinition step, int attempt, JsonObject inputs,
        JsonObject trigger, IStepLog log, Func<CancellationToken, Task> markWaiting)
    {
        RunId = runId;
        Pipeline = pipeline;
        PipelineVersion = pipelineVersion;
        Step = step;
        Attempt = attempt;
        Inputs = inputs;
        Trigger = trigger;
        Log = log;
        _markWaiting = markWaiting;
    }

    public string RunId { get; }

    public string Pipeline { get; }

    public int PipelineVersion { get; }

    public StepDefinition Step { get; }

    /// <summary>1 for the first attempt.</summary>
    public int Attempt { get; }

    /// <summary>The inputs, expressions resolved and converted to the types the step kind declares; absent inputs are missing.</summary>
    public JsonObject Inputs { get; }

    /// <summary>What started the run (<c>trigger.*</c> in expressions).</summary>
    public JsonObject Trigger { get; }

    public IStepLog Log { get; }

    /// <summary>A string input, or <paramref name="fallback"/> when it was not given.</summary>
    public string? Text(string name, string? fallback = null) => Inputs[name] is { } value ? ExpressionEvaluator.ToText(value) : fallback;

    /// <summary>A whole-number input.</summary>
    public long? Integer(string name) => PipelineValues.TryGetNumber(Inputs[name], out var n) ? (long)n : null;

    /// <summary>A number input.</summary>
    public double? Number(string name) => PipelineValues.TryGetNumber(Inputs[name], out var n) ? n : null;

    /// <summary>A boolean input.</summary>
    public bool? Boolean(string name) => Inputs[name] is JsonValue value && value.TryGetValue<bool>(out var b) ? b : null;

    /// <summary>A list input, as text.</summary>
    public IReadOnlyList<string>? List(string name) => Inputs[name] is JsonArray array ? array.Select(ExpressionEvaluator.ToText).ToList() : null;

    /// <summary>A duration input.</summary>
    public TimeSpan? Duration(string name) => Text(name) is { } text && Kiln.Core.DurationText.TryParse(text, out var d) ? d : null;

    /// <summary>
    /// Says the step is now waiting for something outside Kiln (a person): the run shows as waiting, and a replica that takes
    /// the run over later resumes the wait instead of counting it as an interrupted attempt.
    /// </summary>
    public Task MarkWaitingAsync(CancellationToken cancellationToken) => _markWaiting(cancellationToken);
}

/// <summary>The lines a step writes, stored with the run and readable with <c>kiln pipelines logs</c>.</summary>
public interface IStepLog
{
    void Write(string line);
}
