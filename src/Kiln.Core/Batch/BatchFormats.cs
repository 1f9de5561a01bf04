namespace Kiln.Core.Batch;

/// <summary>The tabular file formats batch scoring reads and writes.</summary>
public enum BatchFileFormat
{
    /// <summary>RFC 4180 comma-separated text with a header row, UTF-8.</summary>
    Csv,

    /// <summary>Apache Parquet.</summary>
    Parquet,
}

/// <summary>What a row that cannot be scored (a value of the wrong type, a missing value, a short record) does.</summary>
public enum BadRowPolicy
{
    /// <summary>The batch stops at the first bad row, names it, and leaves no output.</summary>
    Fail,

    /// <summary>The row is left out of the output, counted and reported by number.</summary>
    Skip,
}
