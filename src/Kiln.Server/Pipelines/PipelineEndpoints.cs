using System.Text;
using System.Text.Json.Nodes;
using Kiln.Core;
using Kiln.Core.Api;
using Kiln.Core.Pipelines;
using Kiln.Core.Security;
using Kiln.Pipelines.Definitions;
using Kiln.Pipelines.Execution;
using Kiln.Server.Rollouts;
using Kiln.Server.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Kiln.Server.Pipelines;

/// <summary>
/// The model factory's API: apply pipeline files (YAML in the body), list and read them, start runs, follow their steps
/// and logs, cancel and retry them, and decide approvals.
/// </summary>
internal static class PipelineEndpoints
{
    private const int MaxRuns = 500;
    private const int MaxLogLines = 5000;

    public static IEndpointRouteBuilder MapPipelineEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/pipelines").WithTags("Pipelines");
        group.MapPost("", Apply).RequireRole(KilnRole.Deployer).Accepts<string>("application/yaml", "text/yaml", "text/plain")
            .WithSummary("Applies a pipeline file (the YAML text as the body). A changed file becomes the pipeline's next version; every problem comes back at once, with its line. A file with command steps needs an admin key.");
        group.MapGet("", List).RequireRole(KilnRole.Viewer).WithSummary("Every pipeline: its latest version, triggers (with the next cron fire time), steps and newest run.");
        group.MapGet("/runs", ListRuns).RequireRole(KilnRole.Viewer).WithSummary("Runs of every pipeline, newest first.");
        group.MapGet("/runs/{id}", GetRun).RequireRole(KilnRole.Viewer).WithSummary("A run with its parameters, trigger and every step's status, attempts, inputs, outputs and error.");
        group.MapGet("/runs/{id}/logs", Logs).RequireRole(KilnRole.Viewer).WithSummary("A run's log lines after a sequence number (all steps, or ?step=).");
        group.MapPost("/runs/{id}/cancel", Cancel).RequireRole(KilnRole.Deployer).WithSummary("Asks a run to stop: its running step is stopped and the rest cancelled.");
        group.MapPost("/runs/{id}/retry", Retry).RequireRole(KilnRole.Deployer).WithSummary("Runs a failed or cancelled run again from its failed steps; steps that succeeded keep their outputs.");
        group.MapPost("/runs/{id}/steps/{step}/approve", Approve).RequireRole(KilnRole.Deployer).WithSummary("Approves a waiting approval step.");
        group.MapPost("/runs/{id}/steps/{step}/reject", Reject).RequireRole(KilnRole.Deployer).WithSummary("Rejects a waiting approval step, which fails the run.");
        group.MapGet("/{name}", Get).RequireRole(KilnRole.Viewer).WithSummary("A pipeline with its latest file and version history.");
        group.MapGet("/{name}/versions/{version:int}", GetVersion).RequireRole(KilnRole.Viewer).WithSummary("The file of one version.");
        group.MapDelete("/{name}", Delete).RequireRole(KilnRole.Deployer).WithSummary("Deletes a pipeline with its versions, runs and logs (not while a run is unfinished).");
        group.MapPost("/{name}/runs", Start).RequireRole(KilnRole.Deployer).WithSummary("Starts a run (parameters are converted to their declared types). 202 with the run.");
        group.MapGet("/{name}/runs", ListPipelineRuns).RequireRole(KilnRole.Viewer).WithSummary("Runs of one pipeline, newest first.");
        return app;
    }

    private static async Task<Results<Ok<PipelineApplyResult>, Created<PipelineApplyResult>, ProblemHttpResult>> Apply(
        HttpContext context, PipelineCatalog catalog, IPipelineStore store, TimeProvider time, CancellationToken cancellationToken)
    {
        var yaml = await ReadBodyAsync(context.Request, cancellationToken);
        var file = PipelineFileReader.Read(yaml);
        if (file.IsValid && file.Definition!.Steps.Any(s => s.Kind == StepKinds.Command) && KilnClaims.RoleOf(context.User) < KilnRole.Admin)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, type: "https://httpstatuses.io/403",
                detail: "A pipeline with command steps runs programs on the server; applying it needs an admin key.");
        }

        var applied = await catalog.ApplyAsync(yaml, RolloutEndpoints.Actor(context), cancellationToken);
        if (applied.Problems.Count > 0)
        {
            return TypedResults.Problem(
                title: "The pipeline file has problems",
                type: "https://httpstatuses.io/400",
                detail: string.Join("\n", applied.Problems.Select(p => p.ToString())),
                statusCode: StatusCodes.Status400BadRequest,
                extensions: new Dictionary<string, object?> { ["problems"] = applied.Problems.Select(PipelineViews.Problem).ToList() });
        }

        var lastRun = (await store.ListRunsAsync(applied.Version!.Pipeline, 1, null, cancellationToken)).FirstOrDefault();
        var result = new PipelineApplyResult(PipelineViews.Summary(applied.Version, applied.Definition!, lastRun, time.GetUtcNow()), applied.Created);
        return applied.Created ? TypedResults.Created($"/api/pipelines/{applied.Version.Pipeline}", result) : TypedResults.Ok(result);
    }

    private static async Task<Ok<IReadOnlyList<PipelineSummary>>> List(IPipelineStore store, PipelineDefinitions definitions, TimeProvider time, CancellationToken cancellationToken)
    {
        var summaries = new List<PipelineSummary>();
        foreach (var version in await store.ListLatestAsync(cancellationToken))
        {
            var lastRun = (await store.ListRunsAsync(version.Pipeline, 1, null, cancellationToken)).FirstOrDefault();
            summaries.Add(PipelineViews.Summary(version, await definitions.GetAsync(version.Pipeline, version.Version, cancellationToken), lastRun, time.GetUtcNow()));
        }

        return TypedResults.Ok<IReadOnlyList<PipelineSummary>>(summaries);
    }

    private static async Task<Ok<PipelineDetail>> Get(string name, IPipelineStore store, PipelineDefinitions definitions, TimeProvider time, CancellationToken cancellationToken)
    {
        var version = await store.GetVersionAsync(name, null, cancellationToken) ?? throw KilnException.NotFound("Pipeline", name);
        var lastRun = (await store.ListRunsAsync(name, 1, null, cancellationToken)).FirstOrDefault();
        var versions = await store.ListVersionsAsync(name, cancellationToken);
        return TypedResults.Ok(new PipelineDetail(
            PipelineViews.Summary(version, await definitions.GetAsync(name, version.Version, cancellationToken), lastRun, time.GetUtcNow()),
            version.Source,
            versions.Select(v => new PipelineVersionInfo(v.Version, v.Digest, v.CreatedAt, v.CreatedBy)).ToList()));
    }

    private static async Task<ContentHttpResult> GetVersion(string name, int version, IPipelineStore store, CancellationToken cancellationToken)
    {
        var stored = await store.GetVersionAsync(name, version, cancellationToken) ?? throw KilnException.NotFound("Pipeline version", $"{name}/{version}");
        return TypedResults.Text(stored.Source, "application/yaml; charset=utf-8");
    }

    private static async Task<NoContent> Delete(string name, IPipelineStore store, CancellationToken cancellationToken) =>
        await store.DeleteAsync(name, cancellationToken) ? TypedResults.NoContent() : throw KilnException.NotFound("Pipeline", name);

    private static async Task<Accepted<PipelineRunSummary>> Start(string name, StartPipelineRunRequest? request, HttpContext context, PipelineRunStarter starter,
        CancellationToken cancellationToken)
    {
        var by = RolloutEndpoints.Actor(context);
        var run = await starter.StartAsync(name, request?.Version, RunTrigger.Api(by), request?.Parameters ?? [], by, cancellationToken)
            ?? throw KilnException.Conflict("A run for the same trigger exists already.");
        return TypedResults.Accepted($"/api/pipelines/runs/{run.Id}", PipelineViews.Run(run));
    }

    private static Task<Ok<IReadOnlyList<PipelineRunSummary>>> ListRuns(IPipelineStore store, string? pipeline, int? limit, DateTimeOffset? before, CancellationToken cancellationToken) =>
        Runs(store, string.IsNullOrEmpty(pipeline) ? null : pipeline, limit, before, cancellationToken);

    private static async Task<Ok<IReadOnlyList<PipelineRunSummary>>> ListPipelineRuns(string name, IPipelineStore store, int? limit, DateTimeOffset? before, CancellationToken cancellationToken)
    {
        _ = await store.GetVersionAsync(name, null, cancellationToken) ?? throw KilnException.NotFound("Pipeline", name);
        return await Runs(store, name, limit, before, cancellationToken);
    }

    private static async Task<Ok<IReadOnlyList<PipelineRunSummary>>> Runs(IPipelineStore store, string? pipeline, int? limit, DateTimeOffset? before, CancellationToken cancellationToken)
    {
        if (limit is < 1 or > MaxRuns)
        {
            throw KilnException.Invalid("limit", $"must be between 1 and {MaxRuns}.");
        }

        var runs = await store.ListRunsAsync(pipeline, limit ?? 50, before, cancellationToken);
        return TypedResults.Ok<IReadOnlyList<PipelineRunSummary>>(runs.Select(PipelineViews.Run).ToList());
    }

    private static async Task<Ok<PipelineRunDetail>> GetRun(string id, IPipelineStore store, PipelineDefinitions definitions, CancellationToken cancellationToken)
    {
        var run = await FindRunAsync(store, id, cancellationToken);
        id = run.Id;
        var definition = await TryDefinitionAsync(definitions, run, cancellationToken);
        return TypedResults.Ok(PipelineViews.Detail(run, await store.GetStepsAsync(id, cancellationToken), definition));
    }

    private static async Task<Ok<PipelineLogPage>> Logs(string id, IPipelineStore store, string? step, long? after, int? limit, CancellationToken cancellationToken)
    {
        if (limit is < 1 or > MaxLogLines)
        {
            throw KilnException.Invalid("limit", $"must be between 1 and {MaxLogLines}.");
        }

        if (after is < 0)
        {
            throw KilnException.Invalid("after", "must be 0 or more.");
        }

        id = (await FindRunAsync(store, id, cancellationToken)).Id;
        var lines = await store.ReadLogAsync(id, string.IsNullOrEmpty(step) ? null : step, after ?? 0, limit ?? 1000, cancellationToken);
        return TypedResults.Ok(new PipelineLogPage(
            lines.Select(l => new PipelineLogEntry(l.Sequence, l.Step, l.Attempt, l.Time, l.Text)).ToList(),
            lines.Count == 0 ? after ?? 0 : lines[^1].Sequence));
    }

    private static async Task<Accepted<PipelineRunSummary>> Cancel(string id, IPipelineStore store, CancellationToken cancellationToken)
    {
        var run = await FindRunAsync(store, id, cancellationToken);
        id = run.Id;
        if (!await store.RequestCancelAsync(id, cancellationToken))
        {
            throw KilnException.Conflict($"Run {id} has ended ({run.Status.ToString().ToLowerInvariant()}); there is nothing to cancel.");
        }

        return TypedResults.Accepted($"/api/pipelines/runs/{id}", PipelineViews.Run((await store.GetRunAsync(id, cancellationToken))!));
    }

    private static async Task<Accepted<PipelineRunSummary>> Retry(string id, IPipelineStore store, PipelineRunStarter starter, CancellationToken cancellationToken)
    {
        var run = await FindRunAsync(store, id, cancellationToken);
        id = run.Id;
        if (!await store.RetryRunAsync(id, cancellationToken))
        {
            throw KilnException.Conflict($"Run {id} is {run.Status.ToString().ToLowerInvariant()}; only a failed or cancelled run can be retried.");
        }

        var retried = (await store.GetRunAsync(id, cancellationToken))!;
        starter.Announce(retried);
        return TypedResults.Accepted($"/api/pipelines/runs/{id}", PipelineViews.Run(retried));
    }

    private static Task<Ok<PipelineRunDetail>> Approve(string id, string step, PipelineDecisionRequest? request, HttpContext context, IPipelineStore store,
        PipelineDefinitions definitions, CancellationToken cancellationToken) =>
        DecideAsync(id, step, approved: true, request?.Comment, context, store, definitions, cancellationToken);

    private static Task<Ok<PipelineRunDetail>> Reject(string id, string step, PipelineDecisionRequest? request, HttpContext context, IPipelineStore store,
        PipelineDefinitions definitions, CancellationToken cancellationToken) =>
        DecideAsync(id, step, approved: false, request?.Comment, context, store, definitions, cancellationToken);

    private static async Task<Ok<PipelineRunDetail>> DecideAsync(string id, string step, bool approved, string? comment, HttpContext context, IPipelineStore store,
        PipelineDefinitions definitions, CancellationToken cancellationToken)
    {
        if (comment is { Length: > 1000 })
        {
            throw KilnException.Invalid("comment", "must be at most 1000 characters.");
        }

        var run = await FindRunAsync(store, id, cancellationToken);
        id = run.Id;
        var steps = await store.GetStepsAsync(id, cancellationToken);
        var target = steps.FirstOrDefault(s => s.Step == step) ?? throw KilnException.NotFound("Step", $"{id}/{step}");
        if (target.Kind != StepKinds.Approval)
        {
            throw KilnException.Invalid("step", $"'{step}' is a {target.Kind} step; only approval steps are approved or rejected.");
        }

        var decision = new JsonObject { ["approved"] = approved, ["by"] = RolloutEndpoints.Actor(context), ["comment"] = comment };
        if (!await store.DecideAsync(id, step, decision.ToJsonString(), cancellationToken))
        {
            throw KilnException.Conflict(target.DecisionJson is not null
                ? $"Step '{step}' was decided already."
                : $"Step '{step}' is {target.Status.ToString().ToLowerInvariant()}, not waiting for a decision.");
        }

        return TypedResults.Ok(PipelineViews.Detail(run, await store.GetStepsAsync(id, cancellationToken), await TryDefinitionAsync(definitions, run, cancellationToken)));
    }

    /// <summary>The run named by a full id, or by a prefix of at least 6 characters that names exactly one run.</summary>
    private static async Task<PipelineRunRecord> FindRunAsync(IPipelineStore store, string id, CancellationToken cancellationToken)
    {
        if (await store.GetRunAsync(id, cancellationToken) is { } run)
        {
            return run;
        }

        if (id.Length is >= 6 and < 32 && id.All(char.IsAsciiHexDigitLower))
        {
            var matches = await store.FindRunIdsAsync(id, 2, cancellationToken);
            if (matches.Count > 1)
            {
                throw KilnException.Invalid("id", $"'{id}' starts more than one run id; give more characters.");
            }

            if (matches.Count == 1 && await store.GetRunAsync(matches[0], cancellationToken) is { } found)
            {
                return found;
            }
        }

        throw KilnException.NotFound("Pipeline run", id);
    }

    private static async Task<PipelineDefinition?> TryDefinitionAsync(PipelineDefinitions definitions, PipelineRunRecord run, CancellationToken cancellationToken)
    {
        try
        {
            return await definitions.GetAsync(run.Pipeline, run.Version, cancellationToken);
        }
        catch (KilnException)
        {
            return null;
        }
    }

    /// <summary>The YAML text: the raw body (application/yaml, text/plain), bounded by the pipeline file limit.</summary>
    private static async Task<string> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var limit = PipelineFileReader.MaxLength * 4; // characters to UTF-8 bytes, at most
        if (request.ContentLength > limit)
        {
            throw KilnException.Invalid("body", $"a pipeline file is at most {PipelineFileReader.MaxLength} characters.");
        }

        using var reader = new StreamReader(request.Body, Encoding.UTF8);
        var buffer = new char[PipelineFileReader.MaxLength + 1];
        var read = 0;
        int n;
        while (read < buffer.Length && (n = await reader.ReadAsync(buffer.AsMemory(read), cancellationToken)) > 0)
        {
            read += n;
        }

        if (read > PipelineFileReader.MaxLength)
        {
            throw KilnException.Invalid("body", $"a pipeline file is at most {PipelineFileReader.MaxLength} characters.");
        }

        return read == 0 ? throw KilnException.Invalid("body", "is empty; send the pipeline file's YAML text.") : new string(buffer, 0, read);
    }
}
