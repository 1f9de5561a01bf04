using System.Text.Json.Nodes;
using Kiln.Core.Pipelines;
using Kiln.Pipelines.Expressions;

namespace Kiln.Pipelines.Execution;

/// <summary>What the expressions of a run can read: its parameters, the outputs of its finished steps, its trigger, itself.</summary>
internal sealed class RunScope(PipelineRunRecord run, JsonObject parameters, JsonObject trigger, IReadOnlyDictionary<string, PipelineStepRecord> steps) : IExpressionScope
{
    public JsonNode? Resolve(IReadOnlyList<string> path) => path switch
    {
        ["params", var name] => parameters[name],
        ["steps", var step, "outputs", var output] => steps.TryGetValue(step, out var record) && record.OutputsJson is { } json
            ? (JsonNode.Parse(json) as JsonObject)?[output]
            : null,
        ["trigger", var field] => trigger[field],
        ["run", "id"] => JsonValue.Create(run.Id),
        ["pipeline", "name"] => JsonValue.Create(run.Pipeline),
        ["pipeline", "version"] => JsonValue.Create(run.Version),
        _ => null,
    };

    /// <summary>A short, bounded rendering of the values a condition read, for the step's log and skip reason.</summary>
    public string Describe(Expressions.Expression expression) => string.Join(", ", ExpressionPaths.Of(expression)
        .Select(p => p.ToString()).Distinct()
        .Select(p => $"{p} = {PipelineValues.Show(Resolve(p.Split('.')))}"));
}
