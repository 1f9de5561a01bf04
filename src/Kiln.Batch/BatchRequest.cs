using Kiln.Core.Batch;

namespace Kiln.Batch;

/// <summary>What to score and where the scores go.</summary>
/// <param name="Input">A CSV or Parquet file, or a folder of them (scored in name order, one header for all).</param>
/// <param name="Output">The file the scored rows go to; written beside it under a temporary name and moved in place when complete.</param>
/// <param name="OutputFormat">The output's format; null takes it from the output's extension (CSV unless <c>.parquet</c>).</param>
/// <param name="KeepColumns">Input columns copied to the output beside the scores (an id, say), in this order.</param>
/// <param name="OnError">What a bad row does: stop the batch, or be skipped and counted.</param>
/// <param name="BatchId">The id every output row carries as <c>request_id</c> (with its <c>row</c>): the key ground truth joins on.</param>
/// <param name="Workers">Blocks scored at once, each on a thread of its own; 0 means one more than the cores.</param>
/// <param name="BadRowsFile">When set, every bad row (row, file, column, problem) is written here as CSV.</param>
public sealed record BatchRequest(
    string Input,
    string Output,
    BatchFileFormat? OutputFormat = null,
    IReadOnlyList<string>? KeepColumns = null,
    BadRowPolicy OnError = BadRowPolicy.Fail,
    string? BatchId = null,
    int Workers = 0,
    string? BadRowsFile = null)
{
    /// <summary>The size of the blocks a CSV input is cut into (tests make it small to cut files into many blocks).</summary>
    internal int BlockBytes { get; init; } = Kiln.Batch.Input.Csv.CsvRowSource.DefaultBlockBytes;
}
