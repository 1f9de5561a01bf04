using Kiln.Core.Batch;
namespace Kiln.Batch.Input;

/// <summary>One input file as batch scoring sees it: where it is, its columns, and which of them feed the model or the output.</summary>
/// <param name="Path">The file.</param>
/// <param name="Name">How messages name it (its file name).</param>
/// <param name="Format">CSV or Parquet.</param>
/// <param name="Length">Its size in bytes.</param>
internal sealed record InputFile(string Path, string Name, BatchFileFormat Format, long Length)
{
    /// <summary>The file's column names, in file order (set once its header or schema is read).</summary>
    public IReadOnlyList<string> Columns { get; set; } = [];

    /// <summary>Which file column feeds each model field and each kept column (set once the columns are known).</summary>
    public Scoring.ColumnBinding Binding { get; set; } = null!;

    /// <summary>The input files a path names: the file itself, or a folder's CSV or Parquet files in name order (one format only).</summary>
    public static IReadOnlyList<InputFile> Resolve(string path)
    {
        if (File.Exists(path))
        {
            return [Describe(path, FormatOf(path) ?? BatchFileFormat.Csv)];
        }

        if (!Directory.Exists(path))
        {
            throw new Core.KilnException($"input: '{path}' is neither a file nor a folder.");
        }

        var files = Directory.EnumerateFiles(path)
            .Select(f => (Path: f, Format: FormatOf(f)))
            .Where(f => f.Format is not null)
            .OrderBy(f => f.Path, StringComparer.Ordinal)
            .ToList();
        if (files.Count == 0)
        {
            throw new Core.KilnException($"input: folder '{path}' holds no .csv or .parquet files.");
        }

        if (files.Select(f => f.Format).Distinct().Count() > 1)
        {
            throw new Core.KilnException($"input: folder '{path}' mixes CSV and Parquet files; score each kind on its own.");
        }

        return files.Select(f => Describe(f.Path, f.Format!.Value)).ToList();
    }

    /// <summary>The format a file name implies: <c>.parquet</c>/<c>.pq</c> Parquet, <c>.csv</c>/<c>.txt</c> CSV, anything else none.</summary>
    public static BatchFileFormat? FormatOf(string path) => System.IO.Path.GetExtension(path).ToUpperInvariant() switch
    {
        ".PARQUET" or ".PQ" => BatchFileFormat.Parquet,
        ".CSV" or ".TXT" => BatchFileFormat.Csv,
        _ => null,
    };

    private static InputFile Describe(string path, BatchFileFormat format) =>
        new(path, System.IO.Path.GetFileName(path), format, new FileInfo(path).Length);
}
