namespace Kiln.Monitoring.Metrics;

/// <summary>Something that writes whole metric families when <c>/metrics</c> is scraped.</summary>
public interface IMetricsCollector
{
    /// <summary>The names of the families this collector writes, so the registry can refuse duplicates.</summary>
    IReadOnlyCollection<string> FamilyNames { get; }

    /// <summary>Writes every family (header and samples). Called on each scrape; may allocate.</summary>
    void Collect(PrometheusTextWriter writer);
}
