using Kiln.Core;

namespace Kiln.Training.Data;

/// <summary>Loads a CSV or Parquet file into a <see cref="TabularData"/>, inferring each column's kind.</summary>
public static class TabularReader
{
    /// <summary>
    /// Loads <paramref name="path"/>: <c>.parquet</c>/<c>.pq</c> as Parquet, anything else as delimited
    /// text with a header row (the delimiter is detected). Columns named in <paramref name="excludeColumns"/>
    /// are not loaded; naming a column the file lacks is an error.
    /// </summary>
    public static async Task<TabularData> LoadAsync(string path, IReadOnlyCollection<string>? excludeColumns = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
        {
            throw KilnException.Invalid("data", $"file '{path}' does not exist.");
        }

        var exclude = new HashSet<string>(excludeColumns ?? [], StringComparer.Ordinal);
        var extension = Path.GetExtension(path).ToUpperInvariant();
        var (data, names) = extension is ".PARQUET" or ".PQ"
            ? await ParquetTableReader.ReadAsync(path, exclude, cancellationToken).ConfigureAwait(false)
            : CsvTableReader.Read(path, exclude, cancellationToken);
        var unknown = exclude.Where(e => !names.Contains(e)).Order(StringComparer.Ordinal).ToArray();
        if (unknown.Length > 0)
        {
            throw KilnException.Invalid("excludeColumns", $"names {string.Join(", ", unknown.Select(u => $"'{u}'"))}, which the data does not have (it has {string.Join(", ", names)}).");
        }

        if (data.Rows == 0)
        {
            throw KilnException.Invalid("data", $"file '{Path.GetFileName(path)}' has no rows.");
        }

        return data;
    }
}
