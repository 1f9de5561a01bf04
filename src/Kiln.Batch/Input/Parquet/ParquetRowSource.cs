using Parquet;
using Parquet.Schema;

namespace Kiln.Batch.Input.Parquet;

/// <summary>
/// Reads a Parquet file one row group at a time, only the columns the model or the output uses, and hands the
/// group on in slices of at most <see cref="ChunkRows"/> rows so that a large group still keeps every core busy.
/// </summary>
internal sealed class ParquetRowSource : IRowSource
{
    /// <summary>8,192 rows: each slice's arrays of references or doubles stay off the large object heap (see <see cref="Csv.CsvRowSource.DefaultBlockBytes"/>).</summary>
    public const int ChunkRows = 8_192;
    private readonly InputFile _file;
    private readonly ParquetReader _reader;
    private readonly DataField[] _fields;
    private int _group = -1;
    private Array?[] _columns = [];
    private int _groupRows;
    private int _offset;
    private readonly long _totalRows;

    private ParquetRowSource(InputFile file, ParquetReader reader)
    {
        _file = file;
        _reader = reader;
        _fields = reader.Schema.GetDataFields();
        _totalRows = reader.RowGroups.Sum(g => g.RowCount);
    }

    public static async Task<ParquetRowSource> OpenAsync(InputFile file, CancellationToken cancellationToken)
    {
        var stream = new FileStream(file.Path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous);
        ParquetReader reader;
        try
        {
            reader = await ParquetReader.CreateAsync(stream, leaveStreamOpen: false, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or NotSupportedException or InvalidOperationException)
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            throw new Core.KilnException($"input: {file.Name} is not a readable Parquet file: {e.Message}");
        }

        var source = new ParquetRowSource(file, reader);
        file.Columns = source._fields.Select(f => f.Name).ToArray();
        return source;
    }

    public async ValueTask<RowChunk?> ReadAsync(long firstRow, CancellationToken cancellationToken)
    {
        while (_offset >= _groupRows)
        {
            if (++_group >= _reader.RowGroupCount)
            {
                return null;
            }

            await ReadGroupAsync(cancellationToken).ConfigureAwait(false);
        }

        var rows = Math.Min(ChunkRows, _groupRows - _offset);
        var bytes = _totalRows == 0 ? 0 : _file.Length * rows / _totalRows;
        var chunk = new ParquetChunk(_file, firstRow, rows, bytes, _columns, _offset);
        _offset += rows;
        return chunk;
    }

    public ValueTask DisposeAsync() => _reader.DisposeAsync();

    private async Task ReadGroupAsync(CancellationToken cancellationToken)
    {
        using var group = _reader.OpenRowGroupReader(_group);
        _groupRows = checked((int)group.RowCount);
        _offset = 0;
        _columns = new Array?[_fields.Length];
        var slots = _file.Binding.Slots;
        for (var c = 0; c < _fields.Length; c++)
        {
            if (slots[c] >= 0)
            {
                _columns[c] = await ParquetColumns.ReadAsync(group, _fields[c], _groupRows, _file.Name, cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
