using System.Globalization;

namespace Kiln.Training.Data;

/// <summary>What a column holds, inferred from its values.</summary>
public enum ColumnKind
{
    /// <summary>Every non-missing value is a number.</summary>
    Numeric,

    /// <summary>Some value is not a number: the column is a set of categories.</summary>
    Categorical,
}

/// <summary>One column of a <see cref="TabularData"/>: numbers (NaN for missing) or categories (null for missing).</summary>
public sealed class TabularColumn
{
    private TabularColumn(string name, ColumnKind kind, double[]? numbers, string?[]? values, int missing)
    {
        Name = name;
        Kind = kind;
        Numbers = numbers;
        Values = values;
        Missing = missing;
    }

    public string Name { get; }

    public ColumnKind Kind { get; }

    /// <summary>The values of a numeric column; NaN marks a missing value.</summary>
    public double[]? Numbers { get; }

    /// <summary>The values of a categorical column; null marks a missing value.</summary>
    public string?[]? Values { get; }

    /// <summary>How many values are missing.</summary>
    public int Missing { get; }

    public int Length => Numbers?.Length ?? Values!.Length;

    public static TabularColumn Numeric(string name, double[] numbers)
    {
        var missing = 0;
        foreach (var number in numbers)
        {
            if (double.IsNaN(number))
            {
                missing++;
            }
        }

        return new(name, ColumnKind.Numeric, numbers, null, missing);
    }

    public static TabularColumn Categorical(string name, string?[] values) =>
        new(name, ColumnKind.Categorical, null, values, values.Count(v => v is null));

    public bool IsMissing(int row) => Numbers is { } numbers ? double.IsNaN(numbers[row]) : Values![row] is null;

    /// <summary>A value as text: numbers in their shortest invariant form; null when missing.</summary>
    public string? Text(int row)
    {
        if (Values is { } values)
        {
            return values[row];
        }

        var number = Numbers![row];
        return double.IsNaN(number) ? null : number.ToString(CultureInfo.InvariantCulture);
    }
}

/// <summary>A table loaded into memory, column by column.</summary>
public sealed class TabularData
{
    private readonly Dictionary<string, TabularColumn> _byName;

    public TabularData(IReadOnlyList<TabularColumn> columns, int rows)
    {
        ArgumentNullException.ThrowIfNull(columns);
        Columns = columns;
        Rows = rows;
        _byName = new Dictionary<string, TabularColumn>(StringComparer.Ordinal);
        foreach (var column in columns)
        {
            if (column.Length != rows)
            {
                throw new ArgumentException($"Column '{column.Name}' has {column.Length} values for {rows} rows.", nameof(columns));
            }

            if (!_byName.TryAdd(column.Name, column))
            {
                throw new Kiln.Core.KilnException(Kiln.Core.Errors.KilnErrorKind.Invalid, $"The data has two columns named '{column.Name}'.", "data");
            }
        }
    }

    public IReadOnlyList<TabularColumn> Columns { get; }

    public int Rows { get; }

    public bool TryGetColumn(string name, out TabularColumn column) => _byName.TryGetValue(name, out column!);
}
