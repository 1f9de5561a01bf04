namespace Kiln.Core.Monitoring.Alerts;

/// <summary>
/// The seam between alert rules and the numbers: reads one rule's signal for one deployment. Register
/// any number; the evaluator asks the one that declares the rule's kind in <see cref="Kinds"/>.
/// </summary>
public interface IAlertSignalSource
{
    /// <summary>The kinds this source can read.</summary>
    IReadOnlyCollection<AlertKind> Kinds { get; }

    /// <summary>Reads <paramref name="rule"/>'s signal for <paramref name="deployment"/> over the rule's window ending at <paramref name="now"/>.</summary>
    Task<AlertSignal> ReadAsync(AlertRule rule, string deployment, DateTimeOffset now, CancellationToken cancellationToken);
}
