namespace Kiln.Core.Batch;

/// <summary>What a finished batch did.</summary>
/// <param name="BatchId">The <c>request_id</c> of every output row.</param>
/// <param name="Model">The registered model.</param>
/// <param name="Version">The version that scored every row.</param>
/// <param name="Files">The input files, in the order read.</param>
/// <param name="Output">The output file.</param>
/// <param name="OutputFormat">Its format.</param>
/// <param name="Rows">Data rows read.</param>
/// <param name="Scored">Rows scored and written.</param>
/// <param name="BadRows">Rows not scored (only under <see cref="BadRowPolicy.Skip"/>).</param>
/// <param name="FirstBadRows">The first bad rows, in input order (at most 100).</param>
/// <param name="Seconds">Wall time from opening the input to closing the output.</param>
/// <param name="Columns">The output's columns.</param>
public sealed record BatchSummary(
    string BatchId,
    string Model,
    int Version,
    IReadOnlyList<string> Files,
    string Output,
    BatchFileFormat OutputFormat,
    long Rows,
    long Scored,
    long BadRows,
    IReadOnlyList<BadRow> FirstBadRows,
    double Seconds,
    IReadOnlyList<string> Columns)
{
    /// <summary>Rows sent to the prediction log (<c>kiln batch --log</c>); 0 when not logging.</summary>
    public long LoggedRows { get; init; }

    /// <summary>The deployment whose prediction log took the logged rows, if any.</summary>
    public string? LoggedTo { get; init; }

    /// <summary>Rows read per second of wall time.</summary>
    public double RowsPerSecond => Seconds > 0 ? Rows / Seconds : 0;
}

/// <summary>A row that could not be scored.</summary>
/// <param name="Row">Its number: the 0-based index of the data row across the whole input (the output's <c>row</c>).</param>
/// <param name="File">The file it is in.</param>
/// <param name="Column">The column at fault, or null when the record itself is malformed.</param>
/// <param name="Problem">What is wrong, without the value's text.</param>
public sealed record BadRow(long Row, string File, string? Column, string Problem)
{
    /// <summary>One line for people: <c>row 17 (bank.csv), column 'age': expected a number, got text</c>.</summary>
    public override string ToString() =>
        Column is null ? $"row {Row} ({File}): {Problem}" : $"row {Row} ({File}), column '{Column}': {Problem}";
}

/// <summary>How far a running batch is.</summary>
/// <param name="Rows">Rows written or rejected so far.</param>
/// <param name="BadRows">Rows rejected so far.</param>
/// <param name="Bytes">Input bytes consumed so far.</param>
/// <param name="TotalBytes">Input bytes in all; with <paramref name="Bytes"/> this gives the fraction done.</param>
/// <param name="Elapsed">Time since the batch began.</param>
public readonly record struct BatchProgress(long Rows, long BadRows, long Bytes, long TotalBytes, TimeSpan Elapsed)
{
    /// <summary>Fraction of the input consumed, 0 to 1.</summary>
    public double Fraction => TotalBytes > 0 ? Math.Clamp((double)Bytes / TotalBytes, 0, 1) : 0;

    /// <summary>Rows per second so far.</summary>
    public double RowsPerSecond => Elapsed.TotalSeconds > 0 ? Rows / Elapsed.TotalSeconds : 0;

    /// <summary>Time left at the rate so far, once there is a rate.</summary>
    public TimeSpan? Remaining => Fraction is > 0.001 and < 1 ? Elapsed * ((1 - Fraction) / Fraction) : null;
}
