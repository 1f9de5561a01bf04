using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Cronos;
using Kiln.Core;
using Kiln.Pipelines.Expressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Kiln.Pipelines.Definitions;

/// <summary>
/// Reads a pipeline file (YAML) into a <see cref="PipelineDefinition"/>, collecting every problem with its
/// line and column instead of stopping at the first, then checks the whole (<see cref="PipelineValidator"/>).
/// </summary>
public static partial class PipelineFileReader
{
    /// <summary>The largest pipeline file accepted, in characters.</summary>
    public const int MaxLength = 256 * 1024;

    /// <summary>The most steps a pipeline may have.</summary>
    public const int MaxSteps = 100;

    public static PipelineFile Read(string yaml)
    {
        var problems = new List<PipelineProblem>();
        var definition = new Reader(problems).Read(yaml);
        if (definition is not null)
        {
            PipelineValidator.Check(definition, problems);
        }

        var sorted = problems.OrderBy(p => p.Position.Line).ThenBy(p => p.Position.Column).ToList();
        return new PipelineFile(sorted.Count == 0 ? definition : null, sorted);
    }

    /// <summary>A name of a pipeline: letters, digits, '.', '_' and '-', starting with a letter or digit, at most 100.</summary>
    public static bool IsPipelineName(string name) => PipelineNamePattern().IsMatch(name);

    /// <summary>A name of a step or parameter, usable in expressions: a letter or '_', then letters, digits, '_' or '-'.</summary>
    public static bool IsIdentifier(string name) => IdentifierPattern().IsMatch(name);

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")]
    private static partial Regex PipelineNamePattern();

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_-]{0,63}$")]
    private static partial Regex IdentifierPattern();

    [GeneratedRegex(@"^\(Line: \d+, Col: \d+, Idx: \d+\) - \(Line: \d+, Col: \d+, Idx: \d+\): ")]
    private static partial Regex YamlMessagePrefix();

    private sealed class Reader(List<PipelineProblem> problems)
    {
        private static readonly string[] TopLevelKeys = ["name", "description", "parameters", "triggers", "steps"];
        private static readonly string[] StepKeys = ["kind", "needs", "with", "if", "retries", "timeout", "cache", "description"];
        private static readonly string[] RetryKeys = ["limit", "backoff", "max_delay"];
        private static readonly string[] ParameterKeys = ["default", "description", "required"];
        private static readonly string[] TriggerKinds = ["cron", "alert", "model", "pipeline"];

        public PipelineDefinition? Read(string yaml)
        {
            if (yaml.Length > MaxLength)
            {
                Problem(new SourcePosition(1, 1), "", $"the file is {yaml.Length} characters; the most is {MaxLength}");
                return null;
            }

            var stream = new YamlStream();
            try
            {
                stream.Load(new StringReader(yaml));
            }
            catch (YamlException e)
            {
                Problem(YamlValues.PositionOf(e.Start), "", "not valid YAML: " + YamlMessagePrefix().Replace(e.Message, ""));
                return null;
            }

            if (stream.Documents.Count != 1)
            {
                Problem(new SourcePosition(1, 1), "", stream.Documents.Count == 0 ? "the file is empty" : "a pipeline file holds one YAML document, not several");
                return null;
            }

            if (stream.Documents[0].RootNode is not YamlMappingNode root)
            {
                Problem(YamlValues.PositionOf(stream.Documents[0].RootNode), "", "a pipeline file is a mapping with name, parameters, triggers and steps");
                return null;
            }

            UnknownKeys(root, "", TopLevelKeys);
            var name = RequiredText(root, "name", "");
            if (name is not null && !IsPipelineName(name))
            {
                Problem(Position(root, "name"), "name", "must be 1 to 100 letters, digits, '.', '_' or '-', starting with a letter or digit");
            }

            var description = OptionalText(root, "description", "description");
            var parameters = Parameters(Child(root, "parameters"));
            var triggers = Triggers(Child(root, "triggers"));
            var steps = Steps(root, Child(root, "steps"));
            return name is null ? null : new PipelineDefinition(name, description, parameters, triggers, steps);
        }

        private List<PipelineParameter> Parameters(YamlNode? node)
        {
            var parameters = new List<PipelineParameter>();
            if (node is null)
            {
                return parameters;
            }

            if (node is not YamlMappingNode mapping)
            {
                Problem(YamlValues.PositionOf(node), "parameters", "must be a mapping of parameter names to default values");
                return parameters;
            }

            foreach (var (keyNode, value) in mapping.Children)
            {
                var name = Key(keyNode, "parameters");
                if (name is null)
                {
                    continue;
                }

                var path = $"parameters.{name}";
                if (!IsIdentifier(name))
                {
                    Problem(YamlValues.PositionOf(keyNode), path, "a parameter name is a letter or '_', then letters, digits, '_' or '-'");
                }

                if (value is YamlMappingNode details)
                {
                    UnknownKeys(details, path, ParameterKeys);
                    var fallback = Child(details, "default") is { } d ? YamlValues.ToJson(d) : null;
                    var required = Child(details, "required") is { } r ? Boolean(r, path + ".required") ?? false : fallback is null;
                    parameters.Add(new PipelineParameter(name, fallback, required, OptionalText(details, "description", path + ".description"), YamlValues.PositionOf(keyNode)));
                }
                else
                {
                    var fallback = YamlValues.ToJson(value);
                    parameters.Add(new PipelineParameter(name, fallback, fallback is null, null, YamlValues.PositionOf(keyNode)));
                }
            }

            return parameters;
        }

        private List<PipelineTrigger> Triggers(YamlNode? node)
        {
            var triggers = new List<PipelineTrigger>();
            if (node is null)
            {
                return triggers;
            }

            if (node is not YamlSequenceNode sequence)
            {
                Problem(YamlValues.PositionOf(node), "triggers", "must be a list, e.g. - cron: \"0 3 * * *\"");
                return triggers;
            }

            for (var i = 0; i < sequence.Children.Count; i++)
            {
                var path = $"triggers[{i}]";
                if (sequence.Children[i] is not YamlMappingNode trigger)
                {
                    Problem(YamlValues.PositionOf(sequence.Children[i]), path, "must be a mapping with one of: " + string.Join(", ", TriggerKinds));
                    continue;
                }

                var kinds = TriggerKinds.Where(k => Child(trigger, k) is not null).ToList();
                if (kinds.Count != 1)
                {
                    Problem(YamlValues.PositionOf(trigger), path, kinds.Count == 0
                        ? "names no trigger; give one of: " + string.Join(", ", TriggerKinds)
                        : $"names {string.Join(" and ", kinds)}; a trigger is one of them (write two triggers)");
                    continue;
                }

                if (Read(trigger, kinds[0], path) is { } read)
                {
                    triggers.Add(read);
                }
            }

            return triggers;
        }

        private PipelineTrigger? Read(YamlMappingNode trigger, string kind, string path)
        {
            var position = YamlValues.PositionOf(trigger);
            var parameters = TriggerParameters(trigger, path);
            switch (kind)
            {
                case "cron":
                {
                    UnknownKeys(trigger, path, ["cron", "timezone", "parameters"]);
                    var expression = RequiredText(trigger, "cron", path);
                    var zoneName = OptionalText(trigger, "timezone", path + ".timezone");
                    var zone = TimeZoneInfo.Utc;
                    if (zoneName is not null && !TimeZoneInfo.TryFindSystemTimeZoneById(zoneName, out zone))
                    {
                        Problem(Position(trigger, "timezone"), path + ".timezone", $"'{zoneName}' is not a time zone this server knows (use an IANA name such as Europe/Berlin)");
                        return null;
                    }

                    if (expression is null)
                    {
                        return null;
                    }

                    try
                    {
                        var fields = expression.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
                        var cron = CronExpression.Parse(expression, fields == 6 ? CronFormat.IncludeSeconds : CronFormat.Standard);
                        return new CronTrigger(expression, cron, zone ?? TimeZoneInfo.Utc, parameters, position);
                    }
                    catch (CronFormatException e)
                    {
                        Problem(Position(trigger, "cron"), path + ".cron", $"'{expression}' is not a cron expression (minute hour day-of-month month day-of-week): {e.Message}");
                        return null;
                    }
                }

                case "alert":
                {
                    UnknownKeys(trigger, path, ["alert", "deployment", "severity", "parameters"]);
                    var rule = RequiredText(trigger, "alert", path);
                    var severity = OptionalText(trigger, "severity", path + ".severity");
                    if (severity is not null and not ("info" or "warning" or "critical"))
                    {
                        Problem(Position(trigger, "severity"), path + ".severity", "must be info, warning or critical");
                    }

                    return rule is null ? null : new AlertTrigger(rule, OptionalText(trigger, "deployment", path + ".deployment"), severity, parameters, position);
                }

                case "model":
                {
                    UnknownKeys(trigger, path, ["model", "alias", "parameters"]);
                    var model = RequiredText(trigger, "model", path);
                    return model is null ? null : new ModelTrigger(model, OptionalText(trigger, "alias", path + ".alias"), parameters, position);
                }

                default:
                {
                    UnknownKeys(trigger, path, ["pipeline", "status", "parameters"]);
                    var pipeline = RequiredText(trigger, "pipeline", path);
                    var status = OptionalText(trigger, "status", path + ".status") ?? "succeeded";
                    if (status is not ("succeeded" or "failed" or "finished"))
                    {
                        Problem(Position(trigger, "status"), path + ".status", "must be succeeded, failed or finished");
                        return null;
                    }

                    return pipeline is null ? null : new PipelineCompletionTrigger(pipeline, status, parameters, position);
                }
            }
        }

        private Dictionary<string, JsonNode?> TriggerParameters(YamlMappingNode trigger, string path)
        {
            var values = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
            if (Child(trigger, "parameters") is not { } node)
            {
                return values;
            }

            if (node is not YamlMappingNode mapping)
            {
                Problem(YamlValues.PositionOf(node), path + ".parameters", "must be a mapping of parameter names to values");
                return values;
            }

            foreach (var (key, value) in mapping.Children)
            {
                if (Key(key, path + ".parameters") is { } name)
                {
                    values[name] = YamlValues.ToJson(value);
                }
            }

            return values;
        }

        private List<StepDefinition> Steps(YamlMappingNode root, YamlNode? node)
        {
            var steps = new List<StepDefinition>();
            if (node is null)
            {
                Problem(YamlValues.PositionOf(root), "steps", "is missing; a pipeline has at least one step");
                return steps;
            }

            if (node is not YamlMappingNode mapping || mapping.Children.Count == 0)
            {
                Problem(YamlValues.PositionOf(node), "steps", "must be a mapping of step names to steps, with at least one step");
                return steps;
            }

            if (mapping.Children.Count > MaxSteps)
            {
                Problem(YamlValues.PositionOf(node), "steps", $"has {mapping.Children.Count} steps; the most is {MaxSteps}");
            }

            foreach (var (keyNode, value) in mapping.Children)
            {
                var name = Key(keyNode, "steps");
                if (name is null)
                {
                    continue;
                }

                var path = $"steps.{name}";
                if (!IsIdentifier(name))
                {
                    Problem(YamlValues.PositionOf(keyNode), path, "a step name is a letter or '_', then letters, digits, '_' or '-' (at most 64)");
                }

                if (value is not YamlMappingNode step)
                {
                    Problem(YamlValues.PositionOf(value), path, "must be a mapping with at least a kind");
                    continue;
                }

                if (Step(name, path, YamlValues.PositionOf(keyNode), step) is { } read)
                {
                    steps.Add(read);
                }
            }

            return steps;
        }

        private StepDefinition? Step(string name, string path, SourcePosition position, YamlMappingNode step)
        {
            UnknownKeys(step, path, StepKeys);
            var kind = RequiredText(step, "kind", path);
            var schema = kind is null ? null : StepKinds.Find(kind);
            if (kind is not null && schema is null)
            {
                Problem(Position(step, "kind"), path + ".kind", $"'{kind}' is not a step kind; the kinds are {string.Join(", ", StepKinds.All.Select(k => k.Name))}");
            }

            var needs = Needs(Child(step, "needs"), path + ".needs");
            var with = With(Child(step, "with"), path + ".with");
            var condition = Condition(Child(step, "if"), path + ".if");
            var retries = Retries(Child(step, "retries"), path + ".retries");
            var timeout = Child(step, "timeout") is { } t ? Duration(t, path + ".timeout") : null;
            var cache = Child(step, "cache") is { } c ? Boolean(c, path + ".cache") : null;
            var description = OptionalText(step, "description", path + ".description");
            return kind is null
                ? null
                : new StepDefinition(name, kind, needs, Position(step, "needs"), with, condition, retries, timeout ?? schema?.DefaultTimeout ?? TimeSpan.FromHours(6),
                    cache ?? schema?.CacheableByDefault ?? false, description, position);
        }

        private List<string> Needs(YamlNode? node, string path)
        {
            switch (node)
            {
                case null:
                    return [];
                case YamlScalarNode scalar:
                    return [scalar.Value ?? ""];
                case YamlSequenceNode sequence:
                    var needs = new List<string>();
                    foreach (var item in sequence.Children)
                    {
                        if (item is YamlScalarNode { Value: { } need })
                        {
                            needs.Add(need);
                        }
                        else
                        {
                            Problem(YamlValues.PositionOf(item), path, "every need is a step name");
                        }
                    }

                    return needs;
                default:
                    Problem(YamlValues.PositionOf(node), path, "must be a step name or a list of step names");
                    return [];
            }
        }

        private Dictionary<string, StepInput> With(YamlNode? node, string path)
        {
            var inputs = new Dictionary<string, StepInput>(StringComparer.Ordinal);
            if (node is null)
            {
                return inputs;
            }

            if (node is not YamlMappingNode mapping)
            {
                Problem(YamlValues.PositionOf(node), path, "must be a mapping of the step's inputs");
                return inputs;
            }

            foreach (var (keyNode, value) in mapping.Children)
            {
                if (Key(keyNode, path) is not { } name)
                {
                    continue;
                }

                // An input whose expression does not parse is kept as null, so it is not also reported missing.
                inputs[name] = new StepInput(TemplateOf(value, $"{path}.{name}") ?? Template.Of(null), YamlValues.PositionOf(value));
            }

            return inputs;
        }

        private Template? TemplateOf(YamlNode node, string path)
        {
            if (node is YamlScalarNode scalar)
            {
                var json = YamlValues.ToJson(scalar);
                if (json is JsonValue && json.GetValueKind() == System.Text.Json.JsonValueKind.String)
                {
                    try
                    {
                        return Template.Parse(scalar.Value ?? "");
                    }
                    catch (ExpressionException e)
                    {
                        ExpressionProblem(scalar, path, e);
                        return null;
                    }
                }

                return Template.Of(json);
            }

            if (node is YamlSequenceNode sequence && sequence.Children.All(c => c is YamlScalarNode))
            {
                var items = new List<Template>();
                for (var i = 0; i < sequence.Children.Count; i++)
                {
                    if (TemplateOf(sequence.Children[i], $"{path}[{i}]") is not { } item)
                    {
                        return null;
                    }

                    items.Add(item);
                }

                return Template.List(items);
            }

            return Template.Of(YamlValues.ToJson(node));
        }

        private StepCondition? Condition(YamlNode? node, string path)
        {
            if (node is null)
            {
                return null;
            }

            if (node is not YamlScalarNode scalar || string.IsNullOrWhiteSpace(scalar.Value))
            {
                Problem(YamlValues.PositionOf(node), path, "must be an expression, e.g. steps.evaluate.outputs.passed");
                return null;
            }

            var text = scalar.Value.Trim();
            var inner = text.StartsWith("${{", StringComparison.Ordinal) && text.EndsWith("}}", StringComparison.Ordinal) ? text[3..^2] : text;
            try
            {
                return new StepCondition(text, ExpressionParser.Parse(inner), YamlValues.PositionOf(node));
            }
            catch (ExpressionException e)
            {
                ExpressionProblem(scalar, path, e);
                return null;
            }
        }

        private RetryPolicy Retries(YamlNode? node, string path)
        {
            switch (node)
            {
                case null:
                    return RetryPolicy.None;
                case YamlScalarNode scalar:
                    return new RetryPolicy(RetryLimit(scalar, path), RetryPolicy.DefaultBackoff, RetryPolicy.DefaultMaxDelay);
                case YamlMappingNode mapping:
                    UnknownKeys(mapping, path, RetryKeys);
                    var limit = Child(mapping, "limit") is { } l ? RetryLimit(l, path + ".limit") : 0;
                    var backoff = Child(mapping, "backoff") is { } b ? Duration(b, path + ".backoff") : null;
                    var maxDelay = Child(mapping, "max_delay") is { } m ? Duration(m, path + ".max_delay") : null;
                    if (backoff > maxDelay)
                    {
                        Problem(Position(mapping, "backoff"), path + ".backoff", "is longer than max_delay");
                    }

                    return new RetryPolicy(limit, backoff ?? RetryPolicy.DefaultBackoff, maxDelay ?? Max(backoff ?? RetryPolicy.DefaultBackoff, RetryPolicy.DefaultMaxDelay));
                default:
                    Problem(YamlValues.PositionOf(node), path, "must be a number of retries or a mapping with limit, backoff and max_delay");
                    return RetryPolicy.None;
            }
        }

        private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

        private int RetryLimit(YamlNode node, string path)
        {
            var value = node is YamlScalarNode scalar && !YamlValues.IsQuoted(scalar) ? YamlValues.ToJson(scalar) : null;
            if (PipelineValues.TryGetNumber(value, out var n) && n == Math.Floor(n) && n is >= 0 and <= 20)
            {
                return (int)n;
            }

            Problem(YamlValues.PositionOf(node), path, "must be a whole number from 0 to 20");
            return 0;
        }

        private TimeSpan? Duration(YamlNode node, string path)
        {
            if (node is YamlScalarNode { Value: { } text } && DurationText.TryParse(text, out var duration) && duration > TimeSpan.Zero)
            {
                return duration;
            }

            Problem(YamlValues.PositionOf(node), path, "must be a duration such as 30s, 15m, 2h or 7d");
            return null;
        }

        private bool? Boolean(YamlNode node, string path)
        {
            if (node is YamlScalarNode scalar && YamlValues.ToJson(scalar) is JsonValue value && value.GetValueKind() is System.Text.Json.JsonValueKind.True or System.Text.Json.JsonValueKind.False)
            {
                return value.GetValue<bool>();
            }

            Problem(YamlValues.PositionOf(node), path, "must be true or false");
            return null;
        }

        private string? RequiredText(YamlMappingNode mapping, string key, string parent)
        {
            var path = parent.Length == 0 ? key : $"{parent}.{key}";
            if (Child(mapping, key) is null)
            {
                Problem(YamlValues.PositionOf(mapping), path, "is missing");
                return null;
            }

            return OptionalText(mapping, key, path);
        }

        private string? OptionalText(YamlMappingNode mapping, string key, string path)
        {
            switch (Child(mapping, key))
            {
                case null:
                    return null;
                case YamlScalarNode { Value: { Length: > 0 } text }:
                    return text;
                case var node:
                    Problem(YamlValues.PositionOf(node), path, "must be text");
                    return null;
            }
        }

        private string? Key(YamlNode key, string path)
        {
            if (key is YamlScalarNode { Value: { Length: > 0 } name })
            {
                return name;
            }

            Problem(YamlValues.PositionOf(key), path, "every key is a name");
            return null;
        }

        private void UnknownKeys(YamlMappingNode mapping, string path, IReadOnlyCollection<string> known)
        {
            foreach (var key in mapping.Children.Keys)
            {
                if (key is YamlScalarNode { Value: { } name } && !known.Contains(name))
                {
                    Problem(YamlValues.PositionOf(key), path.Length == 0 ? name : $"{path}.{name}",
                        $"is not a key here; the keys are {string.Join(", ", known)}");
                }
            }
        }

        private void ExpressionProblem(YamlScalarNode scalar, string path, ExpressionException e)
        {
            // Plain and single-line quoted scalars map expression columns onto the file; block scalars point at the value.
            var position = YamlValues.PositionOf(scalar);
            var offset = scalar.Style is ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted ? 1 : 0;
            var column = scalar.Style is ScalarStyle.Literal or ScalarStyle.Folded ? position.Column : position.Column + offset + e.Column;
            Problem(position with { Column = column }, path, "expression: " + e.Message);
        }

        private static YamlNode? Child(YamlMappingNode mapping, string key) =>
            mapping.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

        private static SourcePosition Position(YamlMappingNode mapping, string key) =>
            Child(mapping, key) is { } node ? YamlValues.PositionOf(node) : YamlValues.PositionOf(mapping);

        private void Problem(SourcePosition position, string path, string message) => problems.Add(new PipelineProblem(position, path, message));
    }
}
