using Kiln.Core.Tracking;

namespace Kiln.Client;

/// <summary>
/// A run being logged. Params are write-once, metrics are series (give a step to log many values
/// of one metric), tags can change. Disposing ends the run as FINISHED unless it was ended already.
/// </summary>
public sealed class KilnRun : IAsyncDisposable, IDisposable
{
    private readonly KilnClient _client;
    private bool _ended;

    internal KilnRun(KilnClient client, Run run)
    {
        _client = client;
        Info = run;
    }

    /// <summary>The run as the server returned it when it started.</summary>
    public Run Info { get; }

    /// <summary>The run's id.</summary>
    public string Id => Info.Id;

    /// <summary>Logs a param (write-once).</summary>
    public Task LogParamAsync(string key, string value, CancellationToken cancellationToken = default) =>
        _client.LogAsync(Id, new RunLog(Params: new Dictionary<string, string> { [key] = value }), cancellationToken);

    /// <summary>Logs params (write-once) in one call.</summary>
    public Task LogParamsAsync(IReadOnlyDictionary<string, string> parameters, CancellationToken cancellationToken = default) =>
        _client.LogAsync(Id, new RunLog(Params: parameters), cancellationToken);

    /// <summary>Appends a metric value at a step.</summary>
    public Task LogMetricAsync(string key, double value, long step = 0, CancellationToken cancellationToken = default) =>
        _client.LogAsync(Id, new RunLog(Metrics: [new MetricPoint(key, value, TimeProvider.System.GetUtcNow(), step)]), cancellationToken);

    /// <summary>Appends several metric values (one batch).</summary>
    public Task LogMetricsAsync(IReadOnlyDictionary<string, double> metrics, long step = 0, CancellationToken cancellationToken = default)
    {
        var now = TimeProvider.System.GetUtcNow();
        return _client.LogAsync(Id, new RunLog(Metrics: metrics.Select(m => new MetricPoint(m.Key, m.Value, now, step)).ToArray()), cancellationToken);
    }

    /// <summary>Sets a tag.</summary>
    public Task SetTagAsync(string key, string value, CancellationToken cancellationToken = default) =>
        _client.LogAsync(Id, new RunLog(Tags: new Dictionary<string, string> { [key] = value }), cancellationToken);

    /// <summary>Records a dataset the run read.</summary>
    public Task LogInputAsync(DatasetInput dataset, CancellationToken cancellationToken = default) =>
        _client.LogInputsAsync(Id, [dataset], cancellationToken);

    /// <summary>Uploads a local file as an artifact at <paramref name="artifactPath"/> (default: its file name).</summary>
    public async Task<RunArtifact> LogArtifactAsync(string localPath, string? artifactPath = null, CancellationToken cancellationToken = default)
    {
        await using var file = File.OpenRead(localPath);
        return await _client.UploadArtifactAsync(Id, artifactPath ?? Path.GetFileName(localPath), file, cancellationToken);
    }

    /// <summary>Uploads every file of a folder under <paramref name="artifactPath"/>.</summary>
    public async Task LogArtifactsAsync(string localDirectory, string artifactPath, CancellationToken cancellationToken = default)
    {
        foreach (var (relative, file) in LocalFiles.Under(localDirectory))
        {
            await LogArtifactAsync(file, $"{artifactPath.TrimEnd('/')}/{relative}", cancellationToken);
        }
    }

    /// <summary>Ends the run with a status (FINISHED, FAILED or KILLED).</summary>
    public async Task<Run> EndAsync(RunStatus status = RunStatus.Finished, CancellationToken cancellationToken = default)
    {
        _ended = true;
        return await _client.UpdateRunAsync(Id, status, cancellationToken);
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (!_ended)
        {
            await EndAsync();
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (!_ended)
        {
            EndAsync().GetAwaiter().GetResult();
        }
    }
}
