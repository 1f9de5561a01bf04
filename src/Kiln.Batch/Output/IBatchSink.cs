using Kiln.Batch.Scoring;

namespace Kiln.Batch.Output;

/// <summary>
/// Where scored rows go. <see cref="Format"/> runs on the scoring threads, in any order, and must copy what it needs
/// out of the chunk; <see cref="WriteAsync"/> runs on one thread in input order.
/// </summary>
internal interface IBatchSink : IAsyncDisposable
{
    /// <summary>The output's columns, once known (after the first write or <see cref="CompleteAsync"/>).</summary>
    IReadOnlyList<string> Columns { get; }

    /// <summary>Prepares a scored chunk for writing (formatting, gathering columns); null when it has no scored rows.</summary>
    object? Format(ScoredChunk scored);

    /// <summary>Writes a prepared chunk after every earlier one.</summary>
    ValueTask WriteAsync(ScoredChunk scored, object part, CancellationToken cancellationToken);

    /// <summary>Ends the output; <paramref name="layout"/> names the output columns if no row was ever written.</summary>
    ValueTask CompleteAsync(OutputLayout layout, CancellationToken cancellationToken);
}
