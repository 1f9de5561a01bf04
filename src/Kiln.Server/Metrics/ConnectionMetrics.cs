using System.Diagnostics.Metrics;
using Kiln.Monitoring.Metrics;

namespace Kiln.Server.Metrics;

/// <summary>
/// Kestrel's own connection instruments, listened to and exported in <c>/metrics</c>: connections open now, and
/// connections closed on arrival because <c>Kiln:Serving:MaxConnections</c> was reached (a flood shows up here, not
/// as one log line per refused socket).
/// </summary>
internal sealed class ConnectionMetrics : IHostedService, IDisposable
{
    private const string KestrelMeter = "Microsoft.AspNetCore.Server.Kestrel";

    private readonly MeterListener _listener = new();
    private readonly Gauge _open;
    private readonly Counter _rejected;

    public ConnectionMetrics(MetricsRegistry registry)
    {
        _open = registry.CreateGauge("kiln_http_connections_open", "HTTP connections open now.");
        _rejected = registry.CreateCounter("kiln_http_connections_rejected_total", "Connections closed on arrival because the connection limit was reached.");
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == KestrelMeter && instrument.Name is "kestrel.active_connections" or "kestrel.rejected_connections")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>(OnMeasurement);
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _listener.Start();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose() => _listener.Dispose();

    private void OnMeasurement(Instrument instrument, long value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        if (instrument.Name == "kestrel.active_connections")
        {
            _open.Add(value);
        }
        else
        {
            _rejected.Add(value);
        }
    }
}
