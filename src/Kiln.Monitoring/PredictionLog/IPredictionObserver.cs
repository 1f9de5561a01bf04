using Kiln.Core.Monitoring;

namespace Kiln.Monitoring.PredictionLog;

/// <summary>Sees every logged record on the writer thread (e.g. to keep live drift profiles), and persists what it keeps on flush.</summary>
public interface IPredictionObserver
{
    /// <summary>Takes in one record; called on the single writer thread, after the record's rows were stored.</summary>
    void Observe(PredictionRecord record);

    /// <summary>Persists what was observed so far.</summary>
    Task FlushAsync(CancellationToken cancellationToken);
}
