using System.Text.Json;
using System.Text.Json.Nodes;
using Kiln.Core;
using Kiln.Core.Pipelines;
using Kiln.Pipelines.Definitions;
using Kiln.Pipelines.Expressions;

namespace Kiln.Pipelines.Execution;

/// <summary>
/// Why a run starts: the trigger's kind, a sentence, a key that makes it start once, values for <c>trigger.*</c>, and
/// the parameter values the file's trigger sets (its <c>parameters:</c>).
/// </summary>
public sealed record RunTrigger(string Kind, string Reason, string? Key, JsonObject Values, IReadOnlyDictionary<string, JsonNode?>? Parameters = null)
{
    public static RunTrigger Manual(string? by) => new("manual", by is null ? "started by hand" : $"started by hand by {by}", null, []);

    public static RunTrigger Api(string? by) => new("api", by is null ? "started through the API" : $"started through the API by {by}", null, []);
}

/// <summary>
/// Creates runs: checks and completes the parameters (defaults, then the trigger's values, then the caller's, each
/// converted to the type of the parameter's default), and stores the run with every step pending.
/// </summary>
public sealed class PipelineRunStarter(IPipelineStore store, PipelineDefinitions definitions, TimeProvider time)
{
    /// <summary>The longest parameter value accepted, in characters.</summary>
    public const int MaxParameterLength = 4096;

    /// <summary>Raised after a run was queued, so a local runner can pick it up without waiting for its next poll.</summary>
    public event Action<PipelineRunRecord>? RunCreated;

    /// <summary>
    /// Starts a run of the latest version (or <paramref name="version"/>); null when a run with the same trigger key exists
    /// already. Throws an invalid-input error naming the parameter when one is unknown, missing or of the wrong type.
    /// </summary>
    public async Task<PipelineRunRecord?> StartAsync(string pipeline, int? version, RunTrigger trigger, IReadOnlyDictionary<string, JsonNode?> parameters,
        string? startedBy, CancellationToken cancellationToken)
    {
        var stored = await store.GetVersionAsync(pipeline, version, cancellationToken)
            ?? throw KilnException.NotFound(version is null ? "Pipeline" : "Pipeline version", version is null ? pipeline : $"{pipeline}/{version}");
        var definition = await definitions.GetAsync(stored.Pipeline, stored.Version, cancellationToken);
        var values = Parameters(definition, trigger, parameters);
        var triggerValues = (JsonObject)trigger.Values.DeepClone();
        triggerValues["kind"] = trigger.Kind;
        triggerValues["reason"] = trigger.Reason;
        var run = new PipelineRunRecord(Guid.NewGuid().ToString("N"), stored.Pipeline, stored.Version, PipelineRunStatus.Queued, trigger.Kind, trigger.Reason,
            triggerValues.ToJsonString(), trigger.Key, values.ToJsonString(), time.GetUtcNow(), null, null, null, 1, null, null, false, startedBy);
        var steps = definition.Steps.Select(s => new PipelineStepRecord(run.Id, s.Name, s.Kind, PipelineStepStatus.Pending, 0,
            null, null, null, null, null, null, null, null, null)).ToList();
        if (!await store.CreateRunAsync(run, steps, cancellationToken))
        {
            return null;
        }

        Announce(run);
        return run;
    }

    /// <summary>Tells local runners that <paramref name="run"/> is queued (created, or retried).</summary>
    public void Announce(PipelineRunRecord run) => RunCreated?.Invoke(run);

    private static JsonObject Parameters(PipelineDefinition definition, RunTrigger trigger, IReadOnlyDictionary<string, JsonNode?> given)
    {
        var values = new JsonObject();
        foreach (var parameter in definition.Parameters)
        {
            values[parameter.Name] = parameter.Default?.DeepClone();
        }

        foreach (var (name, value) in trigger.Parameters ?? new Dictionary<string, JsonNode?>())
        {
            values[name] = value?.DeepClone();
        }

        foreach (var (name, value) in given)
        {
            var parameter = definition.Parameters.FirstOrDefault(p => p.Name == name)
                ?? throw KilnException.Invalid($"parameters.{name}", definition.Parameters.Count == 0
                    ? "the pipeline takes no parameters"
                    : $"the pipeline has no such parameter; it has {string.Join(", ", definition.Parameters.Select(p => p.Name))}");
            if (value?.ToJsonString().Length > MaxParameterLength)
            {
                throw KilnException.Invalid($"parameters.{name}", $"is longer than {MaxParameterLength} characters");
            }

            string? problem = null;
            var coerced = parameter.Default is { } fallback ? PipelineValues.Coerce(value, TypeOf(fallback), out problem) : value?.DeepClone();
            values[name] = problem is null ? coerced : throw KilnException.Invalid($"parameters.{name}", problem);
        }

        foreach (var missing in definition.Parameters.Where(p => p.Required && values[p.Name] is null))
        {
            throw KilnException.Invalid($"parameters.{missing.Name}", "is required and has no default; give it (e.g. --param " + missing.Name + "=VALUE)");
        }

        return values;
    }

    private static PipelineValueType TypeOf(JsonNode value) => value.GetValueKind() switch
    {
        JsonValueKind.Number => PipelineValueType.Number,
        JsonValueKind.True or JsonValueKind.False => PipelineValueType.Boolean,
        JsonValueKind.Array => PipelineValueType.StringList,
        _ => PipelineValueType.String,
    };
}
