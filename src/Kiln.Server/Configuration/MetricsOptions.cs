namespace Kiln.Server.Configuration;

/// <summary>The <c>/metrics</c> endpoint (<c>Kiln:Metrics</c>).</summary>
public sealed class MetricsOptions
{
    /// <summary>
    /// Serve <c>/metrics</c> without an API key. Off by default: the metrics name every deployment
    /// and version, so a scraper authenticates with a viewer key like any other reader.
    /// </summary>
    public bool Anonymous { get; set; }
}
