using Kiln.Core.Batch;
using System.Text;

namespace Kiln.Batch.Output;

/// <summary>Every bad row of a batch, as CSV: <c>row,file,column,problem</c>.</summary>
internal sealed class BadRowsFile : IAsyncDisposable
{
    private readonly StreamWriter _writer;

    public BadRowsFile(string path)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        Directory.CreateDirectory(directory!);
        _writer = new StreamWriter(path, append: false, new UTF8Encoding(false));
        _writer.Write("row,file,column,problem\n");
    }

    public async ValueTask WriteAsync(IReadOnlyList<BadRow> rows, CancellationToken cancellationToken)
    {
        using var buffer = new CsvBuffer(rows.Count * 80);
        foreach (var row in rows)
        {
            buffer.Number(row.Row);
            buffer.Comma();
            buffer.Text(row.File);
            buffer.Comma();
            buffer.Text(row.Column);
            buffer.Comma();
            buffer.Text(row.Problem);
            buffer.EndRow();
        }

        await _writer.FlushAsync(cancellationToken).ConfigureAwait(false);
        await _writer.BaseStream.WriteAsync(buffer.Written, cancellationToken).ConfigureAwait(false);
    }

    public ValueTask DisposeAsync() => _writer.DisposeAsync();
}
