using Kiln.Pipelines.Expressions;

namespace Kiln.Pipelines.Definitions;

/// <summary>
/// Checks a read pipeline as a whole: steps form a DAG over known names, every expression reads only what
/// exists at that point (parameters, outputs of the steps it needs, the trigger, the run), and every input
/// is one its step kind takes, of the right type when written as a constant.
/// </summary>
public static class PipelineValidator
{
    /// <summary>The fields of <c>trigger.*</c> an expression may read; those a trigger kind does not set are null.</summary>
    public static readonly IReadOnlyList<string> TriggerFields =
        ["kind", "reason", "rule", "deployment", "severity", "model", "version", "alias", "pipeline", "run_id", "status", "scheduled_at"];

    /// <summary>The fields of <c>run.*</c> and <c>pipeline.*</c>.</summary>
    public static readonly IReadOnlyList<string> RunFields = ["id"];

    public static readonly IReadOnlyList<string> PipelineFields = ["name", "version"];

    public static void Check(PipelineDefinition definition, List<PipelineProblem> problems)
    {
        var steps = new Dictionary<string, StepDefinition>(StringComparer.Ordinal);
        foreach (var step in definition.Steps)
        {
            steps.TryAdd(step.Name, step);
        }

        CheckParameters(definition, problems);
        CheckNeeds(definition, steps, problems);
        var upstream = Upstream(definition, steps);
        foreach (var step in definition.Steps)
        {
            CheckInputs(definition, step, steps, upstream[step.Name], problems);
        }

        foreach (var trigger in definition.Triggers)
        {
            foreach (var name in trigger.Parameters.Keys.Where(n => definition.Parameters.All(p => p.Name != n)))
            {
                problems.Add(new PipelineProblem(trigger.Position, "triggers", $"sets parameter '{name}', which the pipeline does not declare"));
            }
        }
    }

    private static void CheckParameters(PipelineDefinition definition, List<PipelineProblem> problems)
    {
        foreach (var parameter in definition.Parameters)
        {
            if (parameter.Default is System.Text.Json.Nodes.JsonObject)
            {
                problems.Add(new PipelineProblem(parameter.Position, $"parameters.{parameter.Name}", "a default is a number, text, true/false or a list, not a mapping"));
            }
        }
    }

    private static void CheckNeeds(PipelineDefinition definition, Dictionary<string, StepDefinition> steps, List<PipelineProblem> problems)
    {
        foreach (var step in definition.Steps)
        {
            foreach (var need in step.Needs)
            {
                if (need == step.Name)
                {
                    problems.Add(new PipelineProblem(step.NeedsPosition, $"steps.{step.Name}.needs", "a step cannot need itself"));
                }
                else if (!steps.ContainsKey(need))
                {
                    problems.Add(new PipelineProblem(step.NeedsPosition, $"steps.{step.Name}.needs", $"'{need}' is not a step of this pipeline"));
                }
            }

            foreach (var twice in step.Needs.GroupBy(n => n).Where(g => g.Count() > 1))
            {
                problems.Add(new PipelineProblem(step.NeedsPosition, $"steps.{step.Name}.needs", $"names '{twice.Key}' twice"));
            }
        }

        if (FindCycle(definition, steps) is { } cycle)
        {
            var first = steps[cycle[0]];
            problems.Add(new PipelineProblem(first.NeedsPosition, $"steps.{first.Name}.needs", $"the steps need each other in a cycle: {string.Join(" → ", cycle)} → {cycle[0]}"));
        }
    }

    /// <summary>One cycle of needs, in order, or null when the steps form a DAG.</summary>
    private static List<string>? FindCycle(PipelineDefinition definition, Dictionary<string, StepDefinition> steps)
    {
        var state = new Dictionary<string, int>(StringComparer.Ordinal); // 1 visiting, 2 done
        var path = new List<string>();
        foreach (var step in definition.Steps)
        {
            if (Visit(step.Name) is { } cycle)
            {
                return cycle;
            }
        }

        return null;

        List<string>? Visit(string name)
        {
            if (state.TryGetValue(name, out var s))
            {
                return s == 1 ? path[path.IndexOf(name)..] : null;
            }

            state[name] = 1;
            path.Add(name);
            foreach (var need in steps[name].Needs.Where(n => n != name && steps.ContainsKey(n)))
            {
                if (Visit(need) is { } cycle)
                {
                    return cycle;
                }
            }

            path.RemoveAt(path.Count - 1);
            state[name] = 2;
            return null;
        }
    }

    /// <summary>Every step each step transitively needs (cycles and unknown names ignored; they are reported elsewhere).</summary>
    private static Dictionary<string, HashSet<string>> Upstream(PipelineDefinition definition, Dictionary<string, StepDefinition> steps)
    {
        var result = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var step in definition.Steps)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var queue = new Queue<string>(step.Needs);
            while (queue.TryDequeue(out var need))
            {
                if (need != step.Name && steps.TryGetValue(need, out var upstream) && seen.Add(need))
                {
                    foreach (var next in upstream.Needs)
                    {
                        queue.Enqueue(next);
                    }
                }
            }

            result[step.Name] = seen;
        }

        return result;
    }

    private static void CheckInputs(PipelineDefinition definition, StepDefinition step, Dictionary<string, StepDefinition> steps, HashSet<string> upstream, List<PipelineProblem> problems)
    {
        var path = $"steps.{step.Name}";
        if (step.If is { } condition)
        {
            foreach (var reference in ExpressionPaths.Of(condition.Expression))
            {
                CheckReference(definition, steps, upstream, reference, condition.Position, path + ".if", problems);
            }
        }

        foreach (var input in step.With.Values)
        {
            foreach (var expression in input.Value.Expressions)
            {
                foreach (var reference in ExpressionPaths.Of(expression))
                {
                    CheckReference(definition, steps, upstream, reference, input.Position, path + ".with", problems);
                }
            }
        }

        if (StepKinds.Find(step.Kind) is not { } schema)
        {
            return; // reported by the reader
        }

        if (schema.Unavailable is { } why)
        {
            problems.Add(new PipelineProblem(step.Position, path + ".kind", why));
        }

        foreach (var (name, input) in step.With)
        {
            if (schema.Input(name) is not { } spec)
            {
                problems.Add(new PipelineProblem(input.Position, $"{path}.with.{name}",
                    $"is not an input of a {step.Kind} step; its inputs are {string.Join(", ", schema.Inputs.Select(i => i.Name))}"));
                continue;
            }

            if (input.Value.IsConstant)
            {
                var value = PipelineValues.Coerce(input.Value.Constant, spec.Type, out var problem);
                if (problem is not null)
                {
                    problems.Add(new PipelineProblem(input.Position, $"{path}.with.{name}", problem));
                }
                else if (spec.Choices is { } choices && value is not null && !choices.Contains(ExpressionEvaluator.ToText(value)))
                {
                    problems.Add(new PipelineProblem(input.Position, $"{path}.with.{name}", $"must be one of {string.Join(", ", choices)}"));
                }
            }
        }

        foreach (var missing in schema.Inputs.Where(i => i.Required && !step.With.ContainsKey(i.Name)))
        {
            problems.Add(new PipelineProblem(step.Position, $"{path}.with.{missing.Name}", $"is missing; a {step.Kind} step needs it ({missing.Description})"));
        }

        if (step.Kind == StepKinds.Data)
        {
            CheckDataSource(step, path, problems);
        }
    }

    private static void CheckDataSource(StepDefinition step, string path, List<PipelineProblem> problems)
    {
        if (step.With.GetValueOrDefault("source") is not { Value.IsConstant: true } source)
        {
            return;
        }

        string[] needed = ExpressionEvaluator.ToText(source.Value.Constant) switch
        {
            "file" => ["path"],
            "production" => ["deployment"],
            _ => [],
        };
        foreach (var missing in needed.Where(n => !step.With.ContainsKey(n)))
        {
            problems.Add(new PipelineProblem(source.Position, $"{path}.with.{missing}", $"is missing; a data step with source {ExpressionEvaluator.ToText(source.Value.Constant)} needs it"));
        }
    }

    private static void CheckReference(PipelineDefinition definition, Dictionary<string, StepDefinition> steps, HashSet<string> upstream,
        PathExpression reference, SourcePosition position, string path, List<PipelineProblem> problems)
    {
        var segments = reference.Segments;
        var problem = segments[0] switch
        {
            "params" when segments.Count == 2 => definition.Parameters.Any(p => p.Name == segments[1])
                ? null
                : $"'{reference}': the pipeline has no parameter '{segments[1]}'",
            "params" => $"'{reference}': write params.NAME",
            "steps" when segments.Count == 4 && segments[2] == "outputs" => StepOutput(steps, upstream, segments[1], segments[3], reference),
            "steps" => $"'{reference}': write steps.STEP.outputs.NAME",
            "trigger" when segments.Count == 2 => TriggerFields.Contains(segments[1]) ? null : $"'{reference}': a trigger has {string.Join(", ", TriggerFields)}",
            "run" when segments.Count == 2 => RunFields.Contains(segments[1]) ? null : $"'{reference}': a run has {string.Join(", ", RunFields)}",
            "pipeline" when segments.Count == 2 => PipelineFields.Contains(segments[1]) ? null : $"'{reference}': a pipeline has {string.Join(", ", PipelineFields)}",
            _ => $"'{reference}' is not something an expression can read (params, steps, trigger, run, pipeline)",
        };
        if (problem is not null)
        {
            problems.Add(new PipelineProblem(position, path, problem));
        }
    }

    private static string? StepOutput(Dictionary<string, StepDefinition> steps, HashSet<string> upstream, string step, string output, PathExpression reference)
    {
        if (!steps.TryGetValue(step, out var source))
        {
            return $"'{reference}': there is no step '{step}'";
        }

        if (!upstream.Contains(step))
        {
            return $"'{reference}': step '{step}' is not among this step's needs (add it to needs, directly or through another step)";
        }

        return StepKinds.Find(source.Kind) is { } schema && schema.Output(output) is null
            ? $"'{reference}': a {source.Kind} step has no output '{output}'; its outputs are {string.Join(", ", schema.Outputs.Select(o => o.Name))}"
            : null;
    }
}
