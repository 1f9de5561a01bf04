using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Kiln.Core.Api;

namespace Kiln.Client;

public sealed partial class KilnClient
{
    /// <summary>
    /// Applies a pipeline file (its YAML text): a changed file becomes the pipeline's next version. A refused file throws
    /// <see cref="KilnApiException"/> whose message lists every problem with its line and column.
    /// </summary>
    public async Task<PipelineApplyResult> ApplyPipelineAsync(string yaml, CancellationToken cancellationToken = default)
    {
        using var content = new StringContent(yaml, Encoding.UTF8, "application/yaml");
        using var response = await _http.PostAsync("api/pipelines", content, cancellationToken);
        return await ReadAsync(response, Json.PipelineApplyResult, cancellationToken);
    }

    /// <summary>Lists pipelines with their latest version, triggers, steps and newest run.</summary>
    public Task<IReadOnlyList<PipelineSummary>> ListPipelinesAsync(CancellationToken cancellationToken = default) =>
        GetAsync("api/pipelines", Json.IReadOnlyListPipelineSummary, cancellationToken);

    /// <summary>Gets a pipeline with its latest file and version history.</summary>
    public Task<PipelineDetail> GetPipelineAsync(string name, CancellationToken cancellationToken = default) =>
        GetAsync($"api/pipelines/{Escape(name)}", Json.PipelineDetail, cancellationToken);

    /// <summary>Deletes a pipeline, its versions, runs and logs (refused while a run is unfinished).</summary>
    public async Task DeletePipelineAsync(string name, CancellationToken cancellationToken = default)
    {
        using var response = await _http.DeleteAsync($"api/pipelines/{Escape(name)}", cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
    }

    /// <summary>Starts a run of the latest version (or <paramref name="version"/>); parameter text is converted to each parameter's type.</summary>
    public async Task<PipelineRunSummary> StartPipelineRunAsync(string name, IReadOnlyDictionary<string, string>? parameters = null, int? version = null,
        CancellationToken cancellationToken = default)
    {
        var values = parameters?.ToDictionary(p => p.Key, p => (JsonNode?)JsonValue.Create(p.Value), StringComparer.Ordinal);
        using var response = await _http.PostAsJsonAsync($"api/pipelines/{Escape(name)}/runs", new StartPipelineRunRequest(values, version), Json.StartPipelineRunRequest, cancellationToken);
        return await ReadAsync(response, Json.PipelineRunSummary, cancellationToken);
    }

    /// <summary>Lists runs, newest first: of one pipeline, or of all.</summary>
    public Task<IReadOnlyList<PipelineRunSummary>> ListPipelineRunsAsync(string? pipeline = null, int? limit = null, CancellationToken cancellationToken = default) =>
        GetAsync((pipeline is null ? "api/pipelines/runs" : $"api/pipelines/{Escape(pipeline)}/runs")
            + (limit is { } l ? "?limit=" + l.ToString(CultureInfo.InvariantCulture) : ""), Json.IReadOnlyListPipelineRunSummary, cancellationToken);

    /// <summary>Gets a run (by id, or by the first 6 or more characters of it) with every step.</summary>
    public Task<PipelineRunDetail> GetPipelineRunAsync(string id, CancellationToken cancellationToken = default) =>
        GetAsync($"api/pipelines/runs/{Escape(id)}", Json.PipelineRunDetail, cancellationToken);

    /// <summary>Reads a run's log lines after <paramref name="after"/> (all steps, or one).</summary>
    public Task<PipelineLogPage> GetPipelineLogAsync(string id, string? step = null, long after = 0, int? limit = null, CancellationToken cancellationToken = default) =>
        GetAsync($"api/pipelines/runs/{Escape(id)}/logs?after={after.ToString(CultureInfo.InvariantCulture)}"
            + (step is null ? "" : "&step=" + Uri.EscapeDataString(step))
            + (limit is { } l ? "&limit=" + l.ToString(CultureInfo.InvariantCulture) : ""), Json.PipelineLogPage, cancellationToken);

    /// <summary>Asks a run to stop.</summary>
    public Task<PipelineRunSummary> CancelPipelineRunAsync(string id, CancellationToken cancellationToken = default) =>
        PostRunAsync($"api/pipelines/runs/{Escape(id)}/cancel", cancellationToken);

    /// <summary>Runs a failed or cancelled run again from its failed steps.</summary>
    public Task<PipelineRunSummary> RetryPipelineRunAsync(string id, CancellationToken cancellationToken = default) =>
        PostRunAsync($"api/pipelines/runs/{Escape(id)}/retry", cancellationToken);

    /// <summary>Approves a waiting approval step.</summary>
    public Task<PipelineRunDetail> ApprovePipelineStepAsync(string id, string step, string? comment = null, CancellationToken cancellationToken = default) =>
        DecideAsync(id, step, "approve", comment, cancellationToken);

    /// <summary>Rejects a waiting approval step, which fails the run.</summary>
    public Task<PipelineRunDetail> RejectPipelineStepAsync(string id, string step, string? comment = null, CancellationToken cancellationToken = default) =>
        DecideAsync(id, step, "reject", comment, cancellationToken);

    private async Task<PipelineRunSummary> PostRunAsync(string path, CancellationToken cancellationToken)
    {
        using var response = await _http.PostAsync(path, null, cancellationToken);
        return await ReadAsync(response, Json.PipelineRunSummary, cancellationToken);
    }

    private async Task<PipelineRunDetail> DecideAsync(string id, string step, string decision, string? comment, CancellationToken cancellationToken)
    {
        using var response = await _http.PostAsJsonAsync($"api/pipelines/runs/{Escape(id)}/steps/{Escape(step)}/{decision}", new PipelineDecisionRequest(comment),
            Json.PipelineDecisionRequest, cancellationToken);
        return await ReadAsync(response, Json.PipelineRunDetail, cancellationToken);
    }
}
