using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Kiln.Core.Api;
using Kiln.Core.Tracking;

namespace Kiln.Client;

public sealed partial class KilnClient
{
    /// <summary>Lists experiments.</summary>
    public Task<IReadOnlyList<Experiment>> ListExperimentsAsync(CancellationToken cancellationToken = default) =>
        GetAsync("api/experiments", Json.IReadOnlyListExperiment, cancellationToken);

    /// <summary>Gets an experiment by name.</summary>
    public Task<Experiment> GetExperimentByNameAsync(string name, CancellationToken cancellationToken = default) =>
        GetAsync($"api/experiments/by-name/{Escape(name)}", Json.Experiment, cancellationToken);

    /// <summary>Creates an experiment.</summary>
    public async Task<Experiment> CreateExperimentAsync(string name, IReadOnlyDictionary<string, string>? tags = null, CancellationToken cancellationToken = default)
    {
        using var response = await _http.PostAsJsonAsync("api/experiments", new CreateExperimentRequest(name, tags), Json.CreateExperimentRequest, cancellationToken);
        return await ReadAsync(response, Json.Experiment, cancellationToken);
    }

    /// <summary>
    /// Starts a run in the named experiment (created if missing). Dispose it to end it as FINISHED,
    /// or call <see cref="KilnRun.EndAsync"/> with another status:
    /// <code>await using var run = await client.StartRunAsync("bank", "lightgbm-1");</code>
    /// </summary>
    public async Task<KilnRun> StartRunAsync(string experimentName, string? runName = null, IReadOnlyDictionary<string, string>? tags = null, CancellationToken cancellationToken = default)
    {
        using var response = await _http.PostAsJsonAsync("api/runs", new CreateRunRequest(ExperimentName: experimentName, Name: runName, Tags: tags), Json.CreateRunRequest, cancellationToken);
        return new KilnRun(this, await ReadAsync(response, Json.Run, cancellationToken));
    }

    /// <summary>The synchronous form of <see cref="StartRunAsync"/>, for <c>using var run = client.StartRun(...)</c> in plain training code.</summary>
    public KilnRun StartRun(string experimentName, string? runName = null, IReadOnlyDictionary<string, string>? tags = null) =>
        StartRunAsync(experimentName, runName, tags).GetAwaiter().GetResult();

    /// <summary>Gets a run.</summary>
    public Task<Run> GetRunAsync(string runId, CancellationToken cancellationToken = default) =>
        GetAsync($"api/runs/{Escape(runId)}", Json.Run, cancellationToken);

    /// <summary>Searches runs (MLflow filter syntax, order-by clauses, paging).</summary>
    public async Task<RunPage> SearchRunsAsync(RunQuery query, CancellationToken cancellationToken = default)
    {
        using var response = await _http.PostAsJsonAsync("api/runs/search", query, Json.RunQuery, cancellationToken);
        return await ReadAsync(response, Json.RunPage, cancellationToken);
    }

    /// <summary>The best run of an experiment by a metric (highest, unless <paramref name="lowerIsBetter"/>), or null when no run has it.</summary>
    public async Task<Run?> BestRunAsync(string experimentName, string metric, bool lowerIsBetter = false, CancellationToken cancellationToken = default)
    {
        var experiment = await GetExperimentByNameAsync(experimentName, cancellationToken);
        var quoted = "`" + metric.Replace("`", "``", StringComparison.Ordinal) + "`";
        var page = await SearchRunsAsync(new RunQuery([experiment.Id], $"metrics.{quoted} > -1e308", [$"metrics.{quoted} {(lowerIsBetter ? "ASC" : "DESC")}"], 1), cancellationToken);
        return page.Runs.Count > 0 ? page.Runs[0] : null;
    }

    /// <summary>A metric's whole series.</summary>
    public Task<IReadOnlyList<MetricPoint>> GetMetricHistoryAsync(string runId, string key, CancellationToken cancellationToken = default) =>
        GetAsync($"api/runs/{Escape(runId)}/metrics/{Escape(key)}", Json.IReadOnlyListMetricPoint, cancellationToken);

    /// <summary>Lists a run's artifacts.</summary>
    public Task<IReadOnlyList<RunArtifact>> ListArtifactsAsync(string runId, CancellationToken cancellationToken = default) =>
        GetAsync($"api/runs/{Escape(runId)}/artifacts", Json.IReadOnlyListRunArtifact, cancellationToken);

    /// <summary>Downloads one artifact.</summary>
    public async Task<byte[]> DownloadArtifactAsync(string runId, string path, CancellationToken cancellationToken = default)
    {
        using var response = await _http.GetAsync($"api/runs/{Escape(runId)}/artifacts/{EscapePath(path)}", cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
        return await response.Content.ReadAsByteArrayAsync(cancellationToken);
    }

    internal async Task LogAsync(string runId, RunLog log, CancellationToken cancellationToken)
    {
        using var response = await _http.PostAsJsonAsync($"api/runs/{Escape(runId)}/log", log, Json.RunLog, cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
    }

    internal async Task LogInputsAsync(string runId, IReadOnlyList<DatasetInput> datasets, CancellationToken cancellationToken)
    {
        using var response = await _http.PostAsJsonAsync($"api/runs/{Escape(runId)}/inputs", new LogInputsRequest(datasets), Json.LogInputsRequest, cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
    }

    internal async Task<Run> UpdateRunAsync(string runId, RunStatus status, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Patch, $"api/runs/{Escape(runId)}") { Content = JsonContent.Create(new UpdateRunRequest(status), Json.UpdateRunRequest) };
        using var response = await _http.SendAsync(request, cancellationToken);
        return await ReadAsync(response, Json.Run, cancellationToken);
    }

    internal async Task<RunArtifact> UploadArtifactAsync(string runId, string artifactPath, Stream content, CancellationToken cancellationToken)
    {
        using var body = new StreamContent(content);
        body.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        using var response = await _http.PutAsync($"api/runs/{Escape(runId)}/artifacts/{EscapePath(artifactPath)}", body, cancellationToken);
        return await ReadAsync(response, Json.RunArtifact, cancellationToken);
    }

    private static string EscapePath(string path) => string.Join('/', path.Split('/').Select(Uri.EscapeDataString));

    internal static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
