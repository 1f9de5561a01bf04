using Kiln.Core.Tensors;

namespace Kiln.Batch.Logging;

/// <summary>
/// Where a batch sends the rows it logs for monitoring: blocks of consecutive rows with their inputs and outputs,
/// in input order. A block is sampled whole with probability <see cref="SampleRate"/>.
/// </summary>
public interface IBatchPredictionLog
{
    /// <summary>The share of rows to log, 0–1.</summary>
    double SampleRate { get; }

    /// <summary>Logs one block; returns once the log has accepted it.</summary>
    ValueTask LogAsync(BatchPredictions block, CancellationToken cancellationToken);
}

/// <summary>Consecutive scored rows of a batch: rows <paramref name="FirstRow"/> onwards.</summary>
/// <param name="BatchId">The batch's id (the output's <c>request_id</c>).</param>
/// <param name="FirstRow">The first row's index in the batch (the output's <c>row</c>).</param>
/// <param name="Inputs">The rows as the model took them.</param>
/// <param name="Outputs">The model's outputs for them.</param>
public sealed record BatchPredictions(string BatchId, long FirstRow, InferenceBatch Inputs, InferenceResult Outputs);
