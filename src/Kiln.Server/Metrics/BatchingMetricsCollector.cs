using Kiln.Inference.Batching;
using Kiln.Inference.Serving;
using Kiln.Monitoring.Metrics;

namespace Kiln.Server.Metrics;

/// <summary>
/// What dynamic batching does, per deployment and variant: model calls, requests and rows through the batcher
/// (requests ÷ calls is the average batch). Read from the batchers at each scrape; a deployment change starts
/// new batchers, which Prometheus' <c>rate()</c> sees as a counter reset.
/// </summary>
internal sealed class BatchingMetricsCollector(DeploymentTable table) : IMetricsCollector
{
    private static readonly string[] Labels = ["deployment", "variant"];

    public IReadOnlyCollection<string> FamilyNames { get; } = ["kiln_batch_model_calls_total", "kiln_batch_requests_total", "kiln_batch_rows_total"];

    public void Collect(PrometheusTextWriter writer)
    {
        var batched = table.Entries.SelectMany(d => d.Variants.Where(v => v.Batcher is not null).Select(v => (d.Deployment.Name, v.Variant.Name, Batcher: v.Batcher!))).ToArray();
        Write(writer, batched, "kiln_batch_model_calls_total", "Model calls made by dynamic batching (a request scored alone counts as one).", b => b.Batches);
        Write(writer, batched, "kiln_batch_requests_total", "Requests answered through dynamic batching.", b => b.Requests);
        Write(writer, batched, "kiln_batch_rows_total", "Rows scored through dynamic batching.", b => b.Rows);
    }

    private static void Write(PrometheusTextWriter writer, (string Deployment, string Variant, DynamicBatcher Batcher)[] batched, string name, string help, Func<DynamicBatcher, long> value)
    {
        writer.WriteFamily(name, help, MetricType.Counter);
        foreach (var (deployment, variant, batcher) in batched)
        {
            writer.WriteSample(name, Labels, [deployment, variant], value(batcher));
        }
    }
}
