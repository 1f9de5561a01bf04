using System.Globalization;

namespace Kiln.Training.Data;

/// <summary>
/// Collects one text column value by value and infers its kind on the way: numbers are kept while
/// every value parses as one; the first value that does not turns the column categorical from that
/// row on, and <see cref="NeedsBackfill"/> asks the reader for the earlier rows' text once more.
/// Category strings are interned, so a million rows of a dozen categories hold a dozen strings.
/// </summary>
internal sealed class ColumnBuilder
{
    private const int MaxInterned = 100_000;
    private readonly Dictionary<string, string> _interned = new(StringComparer.Ordinal);
    private double[] _numbers = new double[1024];
    private string?[]? _values;
    private int _count;

    public ColumnBuilder(string name) => Name = name;

    public string Name { get; }

    /// <summary>The first row stored as text, or -1 while the column is numeric.</summary>
    public int TextFrom { get; private set; } = -1;

    public bool NeedsBackfill => TextFrom > 0;

    public void Add(ReadOnlySpan<char> field)
    {
        var text = field.Trim();
        if (TextFrom < 0)
        {
            if (MissingValues.IsMissing(text))
            {
                Store(double.NaN);
                return;
            }

            if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
            {
                Store(number);
                return;
            }

            TextFrom = _count;
            _values = new string?[Math.Max(_numbers.Length, 16)];
        }

        StoreText(MissingValues.IsMissing(text) ? null : Intern(text));
    }

    /// <summary>Sets the text of an earlier row (only rows before <see cref="TextFrom"/>).</summary>
    public void Backfill(int row, ReadOnlySpan<char> field)
    {
        var text = field.Trim();
        _values![row] = MissingValues.IsMissing(text) ? null : Intern(text);
    }

    public TabularColumn Build()
    {
        if (TextFrom < 0)
        {
            Array.Resize(ref _numbers, _count);
            return TabularColumn.Numeric(Name, _numbers);
        }

        Array.Resize(ref _values, _count);
        return TabularColumn.Categorical(Name, _values!);
    }

    /// <summary>Infers a column from values already in memory (Parquet strings).</summary>
    public static TabularColumn FromStrings(string name, string?[] values)
    {
        var numbers = new double[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            var text = values[i].AsSpan().Trim();
            if (values[i] is null || MissingValues.IsMissing(text))
            {
                numbers[i] = double.NaN;
            }
            else if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out numbers[i]))
            {
                var builder = new ColumnBuilder(name);
                foreach (var value in values)
                {
                    builder.StoreTextFromStart(value);
                }

                return builder.Build();
            }
        }

        return NumericColumn(name, numbers);
    }

    /// <summary>A numeric column; NaN counts as missing.</summary>
    public static TabularColumn NumericColumn(string name, double[] numbers) => TabularColumn.Numeric(name, numbers);

    private void StoreTextFromStart(string? value)
    {
        if (TextFrom < 0)
        {
            TextFrom = 0;
            _values = new string?[16];
        }

        var text = value.AsSpan().Trim();
        StoreText(value is null || MissingValues.IsMissing(text) ? null : Intern(text));
    }

    private void Store(double number)
    {
        if (_count == _numbers.Length)
        {
            Array.Resize(ref _numbers, _numbers.Length * 2);
        }

        _numbers[_count++] = number;
    }

    private void StoreText(string? value)
    {
        if (_count == _values!.Length)
        {
            Array.Resize(ref _values, _values.Length * 2);
        }

        _values[_count++] = value;
    }

    private string Intern(ReadOnlySpan<char> text)
    {
        var lookup = _interned.GetAlternateLookup<ReadOnlySpan<char>>();
        if (lookup.TryGetValue(text, out var existing))
        {
            return existing;
        }

        var value = text.ToString();
        if (_interned.Count < MaxInterned)
        {
            _interned.Add(value, value);
        }

        return value;
    }
}
