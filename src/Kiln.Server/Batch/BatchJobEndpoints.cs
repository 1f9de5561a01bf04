using System.Text.Json;
using System.Text.Json.Nodes;
using Kiln.Core;
using Kiln.Core.Api;
using Kiln.Core.Packaging;
using Kiln.Core.Pipelines;
using Kiln.Core.Registry;
using Kiln.Core.Security;
using Kiln.Core.Tracking;
using Kiln.Pipelines.Execution;
using Kiln.Server.Pipelines.Steps;
using Kiln.Server.Rollouts;
using Kiln.Server.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Kiln.Server.Batch;

/// <summary>
/// Batch scoring in the server: <c>POST /api/batch-jobs</c> starts a run of the built-in <c>batch-jobs</c> pipeline,
/// whose one step is <c>batch-score</c>, so a job is durable, runs on whichever replica holds it, survives a restart,
/// can be cancelled, and keeps its log like any pipeline run; its scored file is an artifact downloaded here.
/// </summary>
internal static class BatchJobEndpoints
{
    public const string Pipeline = "batch-jobs";

    /// <summary>The pipeline every job is a run of (applied on the first job; applying the same text again changes nothing).</summary>
    public const string PipelineFile = """
        name: batch-jobs
        description: Batch scoring jobs started with POST /api/batch-jobs; each run is one job.
        parameters:
          model: { required: true, description: "NAME@ALIAS, NAME/VERSION or NAME" }
          input: { required: true, description: "a path on the server, or a dataset artifact" }
          format: { default: csv }
          keep_columns: { default: [] }
          on_error: { default: fail }
          log: { default: "" }
          log_sample: { default: -1 }
        steps:
          score:
            kind: batch-score
            cache: false
            with:
              model: "${{ params.model }}"
              input: "${{ params.input }}"
              format: "${{ params.format }}"
              keep_columns: "${{ params.keep_columns }}"
              on_error: "${{ params.on_error }}"
              log: "${{ params.log }}"
              log_sample: "${{ params.log_sample }}"
        """;

    public static IEndpointRouteBuilder MapBatchJobEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/batch-jobs").WithTags("Batch");
        group.MapPost("", Start).RequireRole(KilnRole.Deployer)
            .WithSummary("Starts a batch job: a file or folder on the server, or a tracked run's artifact, scored with a registered version. 202 with the job.");
        group.MapGet("", List).RequireRole(KilnRole.Viewer).WithSummary("Batch jobs, newest first.");
        group.MapGet("/{id}", Get).RequireRole(KilnRole.Viewer).WithSummary("A job: status, progress, and once done its counts and batch id, or its error.");
        group.MapGet("/{id}/output", Output).RequireRole(KilnRole.Viewer).WithSummary("The scored file of a succeeded job.");
        group.MapPost("/{id}/cancel", Cancel).RequireRole(KilnRole.Deployer).WithSummary("Stops a job.");
        return app;
    }

    private static async Task<Accepted<BatchJobView>> Start(
        BatchJobRequest request, HttpContext context, PipelineCatalog catalog, PipelineRunStarter starter, IPipelineStore store, ITrackingStore tracking,
        IModelRegistry registry, PipelineArtifacts artifacts, CancellationToken cancellationToken)
    {
        var model = request.Model is { Length: > 0 } m ? m : throw KilnException.Invalid("model", "is required: NAME@ALIAS, NAME/VERSION or NAME.");
        _ = await registry.ResolveAsync(ModelReference.Parse(model, "model"), cancellationToken) ?? throw KilnException.NotFound("Model version", model);
        var parameters = new Dictionary<string, JsonNode?>
        {
            ["model"] = model,
            ["input"] = await InputAsync(request.Input, tracking, artifacts, cancellationToken),
            ["format"] = request.Format switch
            {
                null or "csv" => "csv",
                "parquet" => "parquet",
                _ => throw KilnException.Invalid("format", "must be csv or parquet."),
            },
            ["keep_columns"] = new JsonArray((request.KeepColumns ?? []).Select(c => (JsonNode?)(c ?? throw KilnException.Invalid("keepColumns", "must be column names."))).ToArray()),
            ["on_error"] = request.OnError switch
            {
                null or "fail" => "fail",
                "skip" => "skip",
                _ => throw KilnException.Invalid("onError", "must be fail or skip."),
            },
            ["log"] = request.Log ?? "",
            ["log_sample"] = request.LogSample switch
            {
                null => -1,
                >= 0 and <= 1 => request.LogSample.Value,
                _ => throw KilnException.Invalid("logSample", "must be between 0 and 1."),
            },
        };
        var applied = await catalog.ApplyAsync(PipelineFile, "kiln", cancellationToken);
        if (applied.Problems.Count > 0)
        {
            throw new InvalidOperationException("The built-in batch-jobs pipeline does not apply: " + string.Join("; ", applied.Problems.Select(p => p.Message)));
        }

        var by = RolloutEndpoints.Actor(context);
        var run = await starter.StartAsync(Pipeline, null, RunTrigger.Api(by), parameters, by, cancellationToken)
            ?? throw KilnException.Conflict("A job for the same request exists already.");
        return TypedResults.Accepted($"/api/batch-jobs/{run.Id}", await ViewAsync(run, store, cancellationToken));
    }

    private static async Task<Ok<IReadOnlyList<BatchJobView>>> List(IPipelineStore store, int? limit, CancellationToken cancellationToken)
    {
        var runs = await store.ListRunsAsync(Pipeline, Math.Clamp(limit ?? 100, 1, 1000), null, cancellationToken);
        var views = new List<BatchJobView>();
        foreach (var run in runs)
        {
            views.Add(await ViewAsync(run, store, cancellationToken));
        }

        return TypedResults.Ok<IReadOnlyList<BatchJobView>>(views);
    }

    private static async Task<Ok<BatchJobView>> Get(string id, IPipelineStore store, CancellationToken cancellationToken) =>
        TypedResults.Ok(await ViewAsync(await FindAsync(id, store, cancellationToken), store, cancellationToken));

    private static async Task<FileStreamHttpResult> Output(string id, IPipelineStore store, IArtifactStore artifacts, CancellationToken cancellationToken)
    {
        var run = await FindAsync(id, store, cancellationToken);
        var outputs = await OutputsAsync(run, store, cancellationToken);
        if (outputs?["predictions"] is not JsonObject predictions || predictions["digest"]?.GetValue<string>() is not { } digest)
        {
            throw KilnException.Conflict($"Batch job {run.Id} has no output: it is {Status(run)}.");
        }

        var name = predictions["name"]?.GetValue<string>() ?? "predictions.csv";
        var type = name.EndsWith(".parquet", StringComparison.Ordinal) ? "application/vnd.apache.parquet" : "text/csv";
        return TypedResults.File(await artifacts.OpenAsync(digest, cancellationToken), type, name);
    }

    private static async Task<Accepted<BatchJobView>> Cancel(string id, IPipelineStore store, CancellationToken cancellationToken)
    {
        var run = await FindAsync(id, store, cancellationToken);
        if (!run.IsFinished)
        {
            await store.RequestCancelAsync(run.Id, cancellationToken);
        }

        return TypedResults.Accepted($"/api/batch-jobs/{run.Id}", await ViewAsync((await store.GetRunAsync(run.Id, cancellationToken))!, store, cancellationToken));
    }

    /// <summary>A path stays a path (the step checks it lies where steps may read); a run artifact becomes a dataset artifact.</summary>
    private static async Task<JsonNode> InputAsync(JsonElement input, ITrackingStore tracking, PipelineArtifacts artifacts, CancellationToken cancellationToken)
    {
        switch (input.ValueKind)
        {
            case JsonValueKind.String when input.GetString() is { Length: > 0 } serverPath:
                try
                {
                    _ = artifacts.AllowedPath(serverPath, "input");
                }
                catch (StepFailedException e)
                {
                    const string prefix = "input input: ";
                    throw KilnException.Invalid("input", e.Message.StartsWith(prefix, StringComparison.Ordinal) ? e.Message[prefix.Length..] : e.Message);
                }

                return serverPath;
            case JsonValueKind.Object:
                var runId = input.TryGetProperty("run_id", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString()! : throw KilnException.Invalid("input.run_id", "is required with an artifact input.");
                var path = input.TryGetProperty("path", out var p) && p.ValueKind == JsonValueKind.String ? p.GetString()! : throw KilnException.Invalid("input.path", "is required with an artifact input.");
                _ = await tracking.GetRunAsync(runId, cancellationToken) ?? throw KilnException.NotFound("Run", runId);
                var artifact = (await tracking.ListArtifactsAsync(runId, cancellationToken)).FirstOrDefault(a => a.Path == path)
                    ?? throw KilnException.Invalid("input.path", $"run {runId} has no artifact '{path}'.");
                return new JsonObject { ["kind"] = "dataset", ["digest"] = artifact.Sha256, ["name"] = Path.GetFileName(artifact.Path), ["size"] = artifact.Size };
            default:
                throw KilnException.Invalid("input", "is required: a path on the server, or {\"run_id\", \"path\"} naming a tracked run's artifact.");
        }
    }

    private static async Task<PipelineRunRecord> FindAsync(string id, IPipelineStore store, CancellationToken cancellationToken)
    {
        var run = await store.GetRunAsync(id, cancellationToken);
        return run is not null && run.Pipeline == Pipeline ? run : throw KilnException.NotFound("Batch job", id);
    }

    private static async Task<BatchJobView> ViewAsync(PipelineRunRecord run, IPipelineStore store, CancellationToken cancellationToken)
    {
        var step = (await store.GetStepsAsync(run.Id, cancellationToken)).FirstOrDefault();
        var parameters = JsonNode.Parse(run.ParametersJson) as JsonObject;
        string? progress = null;
        if (!run.IsFinished)
        {
            var lines = await store.ReadLogAsync(run.Id, "score", 0, 10_000, cancellationToken);
            progress = lines.LastOrDefault(l => l.Text.Contains(" rows/s", StringComparison.Ordinal))?.Text;
        }

        JsonElement? result = step?.OutputsJson is { } json ? JsonDocument.Parse(json).RootElement.Clone() : null;
        return new BatchJobView(
            run.Id,
            Status(run),
            parameters?["model"]?.GetValue<string>(),
            run.CreatedAt,
            run.StartedAt,
            run.FinishedAt,
            progress,
            result,
            step?.Error ?? run.Error,
            run.Status == PipelineRunStatus.Succeeded ? $"/api/batch-jobs/{run.Id}/output" : null);
    }

    private static async Task<JsonObject?> OutputsAsync(PipelineRunRecord run, IPipelineStore store, CancellationToken cancellationToken) =>
        (await store.GetStepsAsync(run.Id, cancellationToken)).FirstOrDefault()?.OutputsJson is { } json ? JsonNode.Parse(json) as JsonObject : null;

    private static string Status(PipelineRunRecord run) => run.Status.ToString().ToLowerInvariant();
}
