namespace Kiln.Batch.Input;

/// <summary>Reads one input file as consecutive chunks of rows, on one thread.</summary>
internal interface IRowSource : IAsyncDisposable
{
    /// <summary>The next chunk, whose first row gets index <paramref name="firstRow"/>; null at the end of the file.</summary>
    ValueTask<RowChunk?> ReadAsync(long firstRow, CancellationToken cancellationToken);
}
