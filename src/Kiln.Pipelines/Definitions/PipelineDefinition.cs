using System.Text.Json.Nodes;
using Kiln.Pipelines.Expressions;

namespace Kiln.Pipelines.Definitions;

/// <summary>A pipeline file, read and validated: its parameters, triggers and steps (in file order).</summary>
public sealed record PipelineDefinition(
    string Name,
    string? Description,
    IReadOnlyList<PipelineParameter> Parameters,
    IReadOnlyList<PipelineTrigger> Triggers,
    IReadOnlyList<StepDefinition> Steps)
{
    /// <summary>The step named <paramref name="name"/>.</summary>
    public StepDefinition Step(string name) => Steps.First(s => s.Name == name);
}

/// <summary>A parameter with its default; one without a default must be given when a run starts.</summary>
public sealed record PipelineParameter(string Name, JsonNode? Default, bool Required, string? Description, SourcePosition Position);

/// <summary>A step: its kind, what it needs, its inputs (<c>with</c>), condition, retries, timeout and caching.</summary>
public sealed record StepDefinition(
    string Name,
    string Kind,
    IReadOnlyList<string> Needs,
    SourcePosition NeedsPosition,
    IReadOnlyDictionary<string, StepInput> With,
    StepCondition? If,
    RetryPolicy Retries,
    TimeSpan Timeout,
    bool Cache,
    string? Description,
    SourcePosition Position);

/// <summary>One input of a step as written, with where it was written.</summary>
public sealed record StepInput(Template Value, SourcePosition Position);

/// <summary>An <c>if:</c> as written (with or without <c>${{ }}</c>), parsed.</summary>
public sealed record StepCondition(string Text, Expression Expression, SourcePosition Position);

/// <summary>A line and column of the file, both 1-based.</summary>
public readonly record struct SourcePosition(int Line, int Column)
{
    public override string ToString() => $"line {Line}, column {Column}";
}
