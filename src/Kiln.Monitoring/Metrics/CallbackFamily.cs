namespace Kiln.Monitoring.Metrics;

/// <summary>
/// A family whose values are read from a callback at scrape time: queue depths, counts kept by
/// another component, runtime figures. A callback that throws drops its family from that scrape
/// rather than failing the whole scrape.
/// </summary>
internal sealed class CallbackFamily(string name, string help, MetricType type, string[] labelNames, Func<IEnumerable<LabelledValue>> read)
    : IMetricsCollector
{
    public IReadOnlyCollection<string> FamilyNames { get; } = [name];

    public void Collect(PrometheusTextWriter writer)
    {
        List<LabelledValue> values;
        try
        {
            values = [.. read()];
        }
#pragma warning disable CA1031 // A broken gauge must not take the other metrics down with it.
        catch (Exception)
#pragma warning restore CA1031
        {
            return;
        }

        if (values.Count == 0)
        {
            return;
        }

        writer.WriteFamily(name, help, type);
        foreach (var value in values)
        {
            var labels = value.LabelValues.Count == 0 ? [] : value.LabelValues.ToArray();
            writer.WriteSample(name, labelNames, labels, value.Value);
        }
    }
}
