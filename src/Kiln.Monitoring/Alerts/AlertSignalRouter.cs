using Kiln.Core.Monitoring.Alerts;

namespace Kiln.Monitoring.Alerts;

/// <summary>
/// Reads a rule's signal from the <see cref="IAlertSignalSource"/> that declares its kind (the last
/// registered wins, so a host can replace a default); "no data" when none does.
/// </summary>
public sealed class AlertSignalRouter
{
    private readonly Dictionary<AlertKind, IAlertSignalSource> _sources = [];

    /// <summary>Routes to <paramref name="sources"/> by the kinds each declares.</summary>
    public AlertSignalRouter(IEnumerable<IAlertSignalSource> sources)
    {
        foreach (var source in sources)
        {
            foreach (var kind in source.Kinds)
            {
                _sources[kind] = source;
            }
        }
    }

    /// <summary>Whether a source reads <paramref name="kind"/>.</summary>
    public bool Handles(AlertKind kind) => _sources.ContainsKey(kind);

    /// <summary>Reads the signal, or no data when no source handles the rule's kind.</summary>
    public Task<AlertSignal> ReadAsync(AlertRule rule, string deployment, DateTimeOffset now, CancellationToken cancellationToken) =>
        _sources.TryGetValue(rule.Kind, out var source)
            ? source.ReadAsync(rule, deployment, now, cancellationToken)
            : Task.FromResult(AlertSignal.NoData($"no signal source for kind {AlertWireNames.Name(rule.Kind)}"));
}
