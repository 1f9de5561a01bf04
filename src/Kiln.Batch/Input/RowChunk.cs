using Kiln.Core.Tensors;

namespace Kiln.Batch.Input;

/// <summary>
/// A block of consecutive input rows, read by one thread and scored by another. Cells are addressed by the
/// source's column index; a chunk converts a cell straight into a model input's typed array, so no row is ever
/// materialised as objects.
/// </summary>
internal abstract class RowChunk : IDisposable
{
    protected RowChunk(InputFile file, long firstRow, int rows, long bytes)
    {
        File = file;
        FirstRow = firstRow;
        Rows = rows;
        Bytes = bytes;
    }

    /// <summary>The file the rows come from (and its column binding).</summary>
    public InputFile File { get; }

    /// <summary>The index of the chunk's first row across the whole input.</summary>
    public long FirstRow { get; }

    /// <summary>The rows in the chunk.</summary>
    public int Rows { get; }

    /// <summary>Input bytes the chunk accounts for (for progress).</summary>
    public long Bytes { get; }

    /// <summary>Makes the chunk's cells addressable (CSV splits its records here, on the worker's thread).</summary>
    public virtual void Prepare()
    {
    }

    /// <summary>A problem with the record as a whole (a CSV record with the wrong number of values), or null.</summary>
    public virtual string? RecordProblem(int row) => null;

    /// <summary>Writes cell (<paramref name="row"/>, <paramref name="column"/>) into element <paramref name="index"/> of a model input.</summary>
    public abstract bool TryWrite(int row, int column, Array target, TensorDataType type, int index, out string? problem);

    /// <summary>
    /// Writes column <paramref name="column"/> of every row not already marked bad into a model input
    /// (row r at <c>r × <paramref name="stride"/> + <paramref name="offset"/></c>); a cell that will not convert marks
    /// its row bad with the problem. Returns how many rows it marked.
    /// </summary>
    public virtual int WriteColumn(int column, Array target, TensorDataType type, int stride, int offset, string?[] problems)
    {
        var marked = 0;
        for (var row = 0; row < Rows; row++)
        {
            if (problems[row] is null && !TryWrite(row, column, target, type, (row * stride) + offset, out var problem))
            {
                problems[row] = problem;
                marked++;
            }
        }

        return marked;
    }

    /// <summary>Writes a cell as one CSV field, quoted as needed (an empty field for a missing value).</summary>
    public abstract void WriteCsv(int row, int column, Output.CsvBuffer output);

    /// <summary>Writes the cells of file columns <paramref name="first"/> to <paramref name="last"/> (consecutive) as CSV fields separated by commas.</summary>
    public virtual void WriteCsvRun(int row, int first, int last, Output.CsvBuffer output)
    {
        for (var column = first; column <= last; column++)
        {
            if (column > first)
            {
                output.Comma();
            }

            WriteCsv(row, column, output);
        }
    }

    /// <summary>The column's values at <paramref name="rows"/>, typed as <see cref="KeptColumnType"/> says.</summary>
    public abstract Array Gather(int column, ReadOnlySpan<int> rows);

    /// <summary>The element type <see cref="Gather"/> returns for a column (string for CSV, the file's type for Parquet).</summary>
    public abstract Type KeptColumnType(int column);

    public virtual void Dispose()
    {
    }
}
