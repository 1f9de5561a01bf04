using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text;
using Kiln.Batch.Output;
using Kiln.Core.Tensors;
using Kiln.Inference.Decoding;

namespace Kiln.Batch.Input.Csv;

/// <summary>
/// A block of whole CSV records in a pooled buffer. <see cref="Prepare"/> splits them into fields on the scoring
/// thread, keeping only the columns the model or the output uses; cells convert from UTF-8 without an
/// intermediate string (except for string inputs).
/// </summary>
internal sealed class CsvChunk : RowChunk
{
    private byte[] _data;
    private readonly int _length;
    private readonly int[] _slots;
    private readonly int _slotCount;
    private int[] _cells = [];
    private int[] _counts = [];

    public CsvChunk(InputFile file, long firstRow, int rows, byte[] data, int length)
        : base(file, firstRow, rows, length)
    {
        _data = data;
        _length = length;
        _slots = file.Binding.Slots;
        _slotCount = file.Binding.SlotCount;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // runs once per chunk for a long time: optimised from the first call
    public override void Prepare()
    {
        var data = _data.AsSpan(0, _length);
        _cells = ArrayPool<int>.Shared.Rent(Math.Max(1, Rows * _slotCount * 2));
        _counts = ArrayPool<int>.Shared.Rent(Math.Max(1, Rows));
        var position = 0;
        for (var row = 0; row < Rows; row++)
        {
            CsvFields.SkipBlankLines(data, ref position);
            var cells = _cells.AsSpan(row * _slotCount * 2, _slotCount * 2);
            cells.Fill(0);
            _counts[row] = CsvFields.Split(data, ref position, _slots, cells);
        }

        CsvFields.SkipBlankLines(data, ref position);
        if (position != _length)
        {
            // The reader's count and the split must agree, or rows would be lost without a word.
            throw new InvalidOperationException($"CSV block of {File.Name} from row {FirstRow}: {Rows} records were counted but the split stopped at byte {position} of {_length}.");
        }
    }

    public override string? RecordProblem(int row) =>
        _counts[row] == File.Columns.Count ? null : $"has {_counts[row]} values but the header names {File.Columns.Count} columns";

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override int WriteColumn(int column, Array target, TensorDataType type, int stride, int offset, string?[] problems)
    {
        var data = _data.AsSpan(0, _length);
        var cells = _cells.AsSpan(0, Rows * _slotCount * 2);
        var at = _slots[column] * 2;
        var step = _slotCount * 2;
        if (type == TensorDataType.Bytes)
        {
            // Text is taken as it is: no cell is refused.
            var strings = (string[])target;
            var cache = new Utf8StringCache();
            for (var row = 0; row < Rows; row++, at += step)
            {
                if (problems[row] is null)
                {
                    strings[(row * stride) + offset] = cache.Get(CsvFields.Text(data, cells[at], cells[at + 1]));
                }
            }

            return 0;
        }

        var marked = 0;
        for (var row = 0; row < Rows; row++, at += step)
        {
            if (problems[row] is null
                && !ValueWriter.TryWriteUtf8(target, type, (row * stride) + offset, CsvFields.Text(data, cells[at], cells[at + 1]), out var problem))
            {
                problems[row] = problem;
                marked++;
            }
        }

        return marked;
    }

    public override bool TryWrite(int row, int column, Array target, TensorDataType type, int index, out string? problem) =>
        ValueWriter.TryWriteUtf8(target, type, index, Cell(row, column), out problem);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per kept cell of a long batch: optimised from its first call
    public override void WriteCsv(int row, int column, CsvBuffer output)
    {
        var (start, end) = Range(row, column);
        var raw = _data.AsSpan((start & CsvFields.OffsetMask)..end);
        if ((start & CsvFields.Quoted) == 0)
        {
            output.Raw(raw);
            return;
        }

        output.Byte((byte)'"');
        output.Raw(raw);
        output.Byte((byte)'"');
    }

    /// <summary>
    /// Copies the run's bytes as they are in the input when its cells sit comma after comma (the common case), which is
    /// the same text cell by cell would give; a record with anything between a closing quote and the next comma (text
    /// the reader drops) is written cell by cell.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per row and run of a long batch: optimised from its first call
    public override void WriteCsvRun(int row, int first, int last, CsvBuffer output)
    {
        var (start, end) = Range(row, first);
        var runStart = (start & CsvFields.OffsetMask) - ((start & CsvFields.Quoted) != 0 ? 1 : 0);
        var runEnd = end + ((start & CsvFields.Quoted) != 0 ? 1 : 0);
        for (var column = first + 1; column <= last; column++)
        {
            (start, end) = Range(row, column);
            var cellStart = (start & CsvFields.OffsetMask) - ((start & CsvFields.Quoted) != 0 ? 1 : 0);
            if (cellStart != runEnd + 1)
            {
                base.WriteCsvRun(row, first, last, output);
                return;
            }

            runEnd = end + ((start & CsvFields.Quoted) != 0 ? 1 : 0);
        }

        output.Raw(_data.AsSpan(runStart, runEnd - runStart));
    }

    public override Array Gather(int column, ReadOnlySpan<int> rows)
    {
        var values = new string[rows.Length];
        for (var i = 0; i < rows.Length; i++)
        {
            values[i] = Encoding.UTF8.GetString(Cell(rows[i], column));
        }

        return values;
    }

    public override Type KeptColumnType(int column) => typeof(string);

    public override void Dispose()
    {
        var data = _data;
        _data = [];
        if (data.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(data);
        }

        if (_cells.Length > 0)
        {
            ArrayPool<int>.Shared.Return(_cells);
            ArrayPool<int>.Shared.Return(_counts);
            _cells = [];
        }
    }

    private ReadOnlySpan<byte> Cell(int row, int column)
    {
        var (start, end) = Range(row, column);
        return CsvFields.Text(_data.AsSpan(0, _length), start, end);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private (int Start, int End) Range(int row, int column)
    {
        var at = ((row * _slotCount) + _slots[column]) * 2;
        return (_cells[at], _cells[at + 1]);
    }
}
