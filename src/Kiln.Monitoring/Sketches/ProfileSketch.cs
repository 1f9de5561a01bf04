using Kiln.Core.Binary;
using Kiln.Core.Packaging;

namespace Kiln.Monitoring.Sketches;

/// <summary>
/// The mergeable profile of a batch of rows: a row count and one <see cref="ColumnSketch"/> per column,
/// in column order. Sketches of separate batches (hours, shards) merge column-wise into the sketch of all
/// of them, and the result converts to the <see cref="DataProfile"/> that drift is measured against.
/// </summary>
public sealed class ProfileSketch
{
    private const byte FormatVersion = 1;

    private readonly ColumnSketch[] _columns;

    /// <summary>Creates a profile sketch over the given columns.</summary>
    /// <param name="columns">The column sketches, with distinct names, in column order.</param>
    /// <param name="rows">Rows already counted.</param>
    public ProfileSketch(IEnumerable<ColumnSketch> columns, long rows = 0)
    {
        ArgumentNullException.ThrowIfNull(columns);
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        _columns = [.. columns];
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var column in _columns)
        {
            if (!names.Add(column.Name))
            {
                throw new ArgumentException($"Column '{column.Name}' appears twice.", nameof(columns));
            }
        }

        Rows = rows;
    }

    /// <summary>How many rows were counted.</summary>
    public long Rows { get; private set; }

    /// <summary>The column sketches, in column order.</summary>
    public IReadOnlyList<ColumnSketch> Columns => _columns;

    /// <summary>The sketch of the named column, or null.</summary>
    /// <param name="name">The column's name.</param>
    /// <returns>The column sketch, or null.</returns>
    public ColumnSketch? Find(string name)
    {
        foreach (var column in _columns)
        {
            if (column.Name == name)
            {
                return column;
            }
        }

        return null;
    }

    /// <summary>Counts rows whose values were added to the column sketches.</summary>
    /// <param name="rows">How many rows.</param>
    public void AddRows(long rows)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        Rows += rows;
    }

    /// <summary>Adds a profile sketch with the same columns (names, kinds and order).</summary>
    /// <param name="other">The other profile sketch.</param>
    public void Merge(ProfileSketch other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other._columns.Length != _columns.Length)
        {
            throw new ArgumentException("Profile sketches with different columns cannot be merged.", nameof(other));
        }

        for (var i = 0; i < _columns.Length; i++)
        {
            _columns[i].Merge(other._columns[i]);
        }

        Rows += other.Rows;
    }

    /// <summary>The sketch as a <see cref="DataProfile"/> (see <see cref="ColumnSketch.ToColumnProfile"/>).</summary>
    /// <returns>The profile.</returns>
    public DataProfile ToDataProfile()
    {
        var columns = new ColumnProfile[_columns.Length];
        for (var i = 0; i < columns.Length; i++)
        {
            columns[i] = _columns[i].ToColumnProfile();
        }

        return new DataProfile(Rows, columns);
    }

    /// <summary>The sketch as compact bytes: a version byte, the row count, then each column's name, kind and sketch.</summary>
    /// <returns>The bytes; <see cref="FromBytes"/> reads them back.</returns>
    public byte[] ToBytes()
    {
        var writer = new LittleEndianWriter();
        writer.Byte(FormatVersion);
        writer.Int64(Rows);
        writer.Int32(_columns.Length);
        foreach (var column in _columns)
        {
            column.Write(writer);
        }

        return writer.ToArray();
    }

    /// <summary>Reads a sketch written by <see cref="ToBytes"/>.</summary>
    /// <param name="bytes">The bytes.</param>
    /// <returns>The profile sketch.</returns>
    /// <exception cref="FormatException">The bytes are not a profile sketch of a supported version.</exception>
    public static ProfileSketch FromBytes(ReadOnlySpan<byte> bytes)
    {
        var reader = new LittleEndianReader(bytes);
        reader.Version(FormatVersion, "profile sketch");
        var rows = reader.Int64();
        var count = reader.Int32();
        if (count < 0 || rows < 0)
        {
            throw new FormatException("The profile sketch bytes are corrupt.");
        }

        var columns = new List<ColumnSketch>(Math.Min(count, 4096));
        for (var i = 0; i < count; i++)
        {
            columns.Add(ColumnSketch.Read(ref reader));
        }

        reader.ExpectEnd();
        return new ProfileSketch(columns, rows);
    }
}
