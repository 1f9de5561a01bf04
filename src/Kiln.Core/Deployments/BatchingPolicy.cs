namespace Kiln.Core.Deployments;

/// <summary>
/// Dynamic batching of a deployment (off unless set, as in Triton): requests arriving together are scored in one
/// model call of up to <paramref name="MaxBatchRows"/> rows, each waiting at most <paramref name="MaxDelayMicroseconds"/>
/// for others to join it, and every caller gets back exactly its own rows.
/// </summary>
/// <param name="MaxBatchRows">The most rows one model call takes (2–65,536); a request this large or larger is scored alone.</param>
/// <param name="MaxDelayMicroseconds">How long the first request of a batch waits for more (1–1,000,000 µs).</param>
public sealed record BatchingPolicy(int MaxBatchRows, int MaxDelayMicroseconds)
{
    /// <summary>The largest batch a deployment may set.</summary>
    public const int MaxRowsLimit = 65_536;

    /// <summary>The longest wait a deployment may set: one second.</summary>
    public const int MaxDelayLimit = 1_000_000;

    /// <summary>The wait as a time span.</summary>
    public TimeSpan MaxDelay => TimeSpan.FromMicroseconds(MaxDelayMicroseconds);

    /// <summary>
    /// Checks a policy sent by a client under <paramref name="field"/>: null keeps the current policy, a
    /// <c>maxBatchRows</c> of 0 turns batching off. Returns the policy to store (null: off).
    /// </summary>
    public static BatchingPolicy? Validate(BatchingPolicy policy, string field)
    {
        if (policy.MaxBatchRows == 0)
        {
            return null;
        }

        if (policy.MaxBatchRows is < 2 or > MaxRowsLimit)
        {
            throw KilnException.Invalid($"{field}.maxBatchRows", $"must be 0 (off) or 2–{MaxRowsLimit:N0}; got {policy.MaxBatchRows}.");
        }

        if (policy.MaxDelayMicroseconds is < 1 or > MaxDelayLimit)
        {
            throw KilnException.Invalid($"{field}.maxDelayMicroseconds", $"must be 1–{MaxDelayLimit:N0} µs; got {policy.MaxDelayMicroseconds}.");
        }

        return policy;
    }

    /// <summary>In words, for history and logs.</summary>
    public override string ToString() => $"up to {MaxBatchRows} rows, waiting up to {MaxDelayMicroseconds} µs";
}
