namespace Kiln.Core.Monitoring;

/// <summary>The durable prediction log: appended in batches by one writer, read by queries and reports.</summary>
public interface IPredictionLogStore
{
    /// <summary>Appends requests in one transaction, giving their rows the next ids in order.</summary>
    Task AppendAsync(IReadOnlyList<LoggedRequest> requests, CancellationToken cancellationToken);

    /// <summary>Reads rows in id order.</summary>
    IAsyncEnumerable<PredictionRow> QueryAsync(PredictionQuery query, CancellationToken cancellationToken);

    /// <summary>Counts rows matching a query (its paging fields are ignored).</summary>
    Task<long> CountAsync(PredictionQuery query, CancellationToken cancellationToken);

    /// <summary>Deletes rows older than <paramref name="olderThan"/> and the oldest beyond <paramref name="maxRows"/>; returns how many went.</summary>
    Task<long> ApplyRetentionAsync(DateTimeOffset olderThan, long maxRows, CancellationToken cancellationToken);
}
