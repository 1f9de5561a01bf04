namespace Kiln.Monitoring.Metrics;

/// <summary>The metric families of the serving path, registered once.</summary>
internal sealed class ServingFamilies
{
    private static readonly string[] SeriesLabels = ["protocol", "deployment", "variant", "model_version"];

    public ServingFamilies(MetricsRegistry registry)
    {
        Requests = registry.CreateCounterFamily("kiln_inference_requests_total",
            "Inference requests answered, by protocol, deployment, variant, model version and HTTP status code.", [.. SeriesLabels, "code"]);
        Failures = registry.CreateCounterFamily("kiln_inference_request_failures_total",
            "Inference requests that failed on the server side (HTTP status 500 and above).", SeriesLabels);
        Duration = registry.CreateHistogramFamily("kiln_inference_request_duration_seconds",
            "Time from receiving an inference request to its last response byte being handed to the server, in seconds.", Buckets.LatencySeconds, SeriesLabels);
        RequestSize = registry.CreateHistogramFamily("kiln_inference_request_size_bytes",
            "Size of inference request bodies in bytes (when the body was read).", Buckets.SizeBytes, SeriesLabels);
        ResponseSize = registry.CreateHistogramFamily("kiln_inference_response_size_bytes",
            "Size of successful inference response bodies in bytes.", Buckets.SizeBytes, SeriesLabels);
        Rows = registry.CreateHistogramFamily("kiln_inference_request_rows",
            "Rows scored per successful inference request.", Buckets.Rows, SeriesLabels);
        InFlight = registry.CreateGaugeFamily("kiln_inference_requests_in_flight",
            "Inference requests being served right now, by protocol.", "protocol");
        ModelLoad = registry.CreateHistogramFamily("kiln_model_load_duration_seconds",
            "Time to load and warm a model version for a deployment, in seconds.", Buckets.LoadSeconds, "deployment", "model", "version");
        ModelLoadFailures = registry.CreateCounterFamily("kiln_model_load_failures_total",
            "Model versions that failed to load for a deployment.", "deployment", "model", "version");
    }

    public MetricFamily<Counter> Requests { get; }

    public MetricFamily<Counter> Failures { get; }

    public MetricFamily<Histogram> Duration { get; }

    public MetricFamily<Histogram> RequestSize { get; }

    public MetricFamily<Histogram> ResponseSize { get; }

    public MetricFamily<Histogram> Rows { get; }

    public MetricFamily<Gauge> InFlight { get; }

    public MetricFamily<Histogram> ModelLoad { get; }

    public MetricFamily<Counter> ModelLoadFailures { get; }
}
