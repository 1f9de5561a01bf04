using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using Kiln.Core.Api;
using Kiln.Core.Monitoring;

namespace Kiln.Client;

public sealed partial class KilnClient
{
    /// <summary>A page of a deployment's logged predictions; <paramref name="since"/>/<paramref name="until"/> take ISO 8601 or a duration before now (<c>1h</c>).</summary>
    public Task<PredictionPage> GetPredictionsAsync(string deployment, string? since = null, string? until = null, int? version = null, long? after = null, int limit = 100, CancellationToken cancellationToken = default) =>
        GetAsync($"api/deployments/{Escape(deployment)}/predictions{Query(("since", since), ("until", until), ("version", Text(version)), ("after", Text(after)), ("limit", Text(limit)))}", Json.PredictionPage, cancellationToken);

    /// <summary>
    /// Sends rows scored by a batch into a deployment's prediction log (a body <c>BatchPredictionsWriter</c> writes).
    /// When the log is full the server takes nothing and says so; the same body is sent again after the wait it asks
    /// for, up to <paramref name="attempts"/> times.
    /// </summary>
    public async Task<BatchPredictionsAccepted> PostBatchPredictionsAsync(string deployment, ReadOnlyMemory<byte> body, int attempts = 30, CancellationToken cancellationToken = default)
    {
        for (var attempt = 1; ; attempt++)
        {
            using var content = new ReadOnlyMemoryContent(body);
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
            using var response = await _http.PostAsync($"api/deployments/{Escape(deployment)}/batch-predictions", content, cancellationToken);
            if (response.StatusCode == System.Net.HttpStatusCode.ServiceUnavailable && attempt < attempts)
            {
                await Task.Delay(response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1), cancellationToken);
                continue;
            }

            return await ReadAsync(response, Json.BatchPredictionsAccepted, cancellationToken);
        }
    }

    /// <summary>Downloads the logged predictions as CSV or Parquet into <paramref name="destination"/>.</summary>
    public async Task ExportPredictionsAsync(string deployment, string format, Stream destination, string? since = null, string? until = null, int? version = null, CancellationToken cancellationToken = default)
    {
        using var response = await _http.GetAsync(
            $"api/deployments/{Escape(deployment)}/predictions/export{Query(("format", format), ("since", since), ("until", until), ("version", Text(version)))}",
            HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
        await response.Content.CopyToAsync(destination, cancellationToken);
    }

    /// <summary>Sends ground truth for past predictions; the result counts accepted, late, duplicate and unknown labels.</summary>
    public async Task<GroundTruthResult> SendGroundTruthAsync(string deployment, IReadOnlyList<GroundTruthItem> labels, CancellationToken cancellationToken = default)
    {
        using var response = await _http.PostAsJsonAsync($"api/deployments/{Escape(deployment)}/ground-truth", new GroundTruthRequest(labels), Json.GroundTruthRequest, cancellationToken);
        return await ReadAsync(response, Json.GroundTruthResult, cancellationToken);
    }

    /// <summary>Tracks custom metrics for a deployment.</summary>
    public async Task<CustomMetricsResult> TrackMetricsAsync(string deployment, IReadOnlyList<CustomMetricItem> metrics, CancellationToken cancellationToken = default)
    {
        using var response = await _http.PostAsJsonAsync($"api/deployments/{Escape(deployment)}/metrics", new CustomMetricsRequest(metrics), Json.CustomMetricsRequest, cancellationToken);
        return await ReadAsync(response, Json.CustomMetricsResult, cancellationToken);
    }

    /// <summary>Model quality per version and window (<paramref name="window"/> like <c>1h</c>), or over the last <paramref name="last"/> labelled predictions.</summary>
    public Task<QualityReport> GetQualityAsync(string deployment, string? window = null, string? since = null, string? until = null, int? version = null, int? last = null, CancellationToken cancellationToken = default) =>
        GetAsync($"api/deployments/{Escape(deployment)}/quality{Query(("window", window), ("since", since), ("until", until), ("version", Text(version)), ("last", Text(last)))}", Json.QualityReport, cancellationToken);

    /// <summary>Drift of the traffic in a window against the version's training profile.</summary>
    public Task<DriftReport> GetDriftAsync(string deployment, string? window = null, string? since = null, string? until = null, int? version = null, string? method = null, double? threshold = null, CancellationToken cancellationToken = default) =>
        GetAsync($"api/deployments/{Escape(deployment)}/drift{Query(("window", window), ("since", since), ("until", until), ("version", Text(version)), ("method", method), ("threshold", threshold?.ToString("R", CultureInfo.InvariantCulture)))}", Json.DriftReport, cancellationToken);

    /// <summary>The prediction log writer's health.</summary>
    public Task<PredictionLogStatus> GetPredictionLogStatusAsync(CancellationToken cancellationToken = default) =>
        GetAsync("api/monitoring/prediction-log", Json.PredictionLogStatus, cancellationToken);

    private static string? Text(long? value) => value?.ToString(CultureInfo.InvariantCulture);

    private static string Query(params (string Name, string? Value)[] parameters)
    {
        var query = new StringBuilder();
        foreach (var (name, value) in parameters)
        {
            if (value is not null)
            {
                query.Append(query.Length == 0 ? '?' : '&').Append(name).Append('=').Append(Uri.EscapeDataString(value));
            }
        }

        return query.ToString();
    }
}
