using System.Globalization;
using System.Numerics;
using Kiln.Core;
using Parquet;
using Parquet.Schema;

namespace Kiln.Training.Data;

/// <summary>
/// Reads a Parquet file column by column: numeric types become numbers directly (null is missing),
/// strings go through the same inference as CSV text, booleans and dates become categories.
/// </summary>
internal static class ParquetTableReader
{
    public static async Task<(TabularData Data, string[] Names)> ReadAsync(string path, HashSet<string> exclude, CancellationToken cancellationToken)
    {
        ParquetReader reader;
        var stream = File.OpenRead(path);
        try
        {
            reader = await ParquetReader.CreateAsync(stream, leaveStreamOpen: false, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or NotSupportedException or InvalidOperationException)
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            throw KilnException.Invalid("data", $"file '{Path.GetFileName(path)}' is not a readable Parquet file: {e.Message}");
        }

        await using (reader.ConfigureAwait(false))
        {
            var fields = reader.Schema.GetDataFields();
            var names = fields.Select(f => f.Name).ToArray();
            var groups = reader.RowGroups;
            var rows = checked((int)groups.Sum(g => g.RowCount));
            var columns = new List<TabularColumn>();
            foreach (var field in fields)
            {
                if (exclude.Contains(field.Name))
                {
                    continue;
                }

                if (field.IsArray || field.MaxRepetitionLevel > 0)
                {
                    throw KilnException.Invalid("data", $"column '{field.Name}' is a list; Kiln trains on flat columns only (exclude it).");
                }

                columns.Add(await ReadColumnAsync(groups, field, rows, cancellationToken).ConfigureAwait(false));
            }

            return (new TabularData(columns, rows), names);
        }
    }

    private static async Task<TabularColumn> ReadColumnAsync(IReadOnlyList<ParquetRowGroupReader> groups, DataField field, int rows, CancellationToken cancellationToken)
    {
        var type = Nullable.GetUnderlyingType(field.ClrType) ?? field.ClrType;
        return type switch
        {
            _ when type == typeof(double) => await NumbersAsync<double>(groups, field, rows, cancellationToken).ConfigureAwait(false),
            _ when type == typeof(float) => await NumbersAsync<float>(groups, field, rows, cancellationToken).ConfigureAwait(false),
            _ when type == typeof(long) => await NumbersAsync<long>(groups, field, rows, cancellationToken).ConfigureAwait(false),
            _ when type == typeof(int) => await NumbersAsync<int>(groups, field, rows, cancellationToken).ConfigureAwait(false),
            _ when type == typeof(short) => await NumbersAsync<short>(groups, field, rows, cancellationToken).ConfigureAwait(false),
            _ when type == typeof(sbyte) => await NumbersAsync<sbyte>(groups, field, rows, cancellationToken).ConfigureAwait(false),
            _ when type == typeof(ulong) => await NumbersAsync<ulong>(groups, field, rows, cancellationToken).ConfigureAwait(false),
            _ when type == typeof(uint) => await NumbersAsync<uint>(groups, field, rows, cancellationToken).ConfigureAwait(false),
            _ when type == typeof(ushort) => await NumbersAsync<ushort>(groups, field, rows, cancellationToken).ConfigureAwait(false),
            _ when type == typeof(byte) => await NumbersAsync<byte>(groups, field, rows, cancellationToken).ConfigureAwait(false),
            _ when type == typeof(decimal) => await NumbersAsync<decimal>(groups, field, rows, cancellationToken).ConfigureAwait(false),
            _ when type == typeof(string) || type == typeof(ReadOnlyMemory<char>) => ColumnBuilder.FromStrings(field.Name, await StringsAsync(groups, field, rows, cancellationToken).ConfigureAwait(false)),
            _ when type == typeof(bool) => await FormattedAsync<bool>(groups, field, rows, v => v ? "true" : "false", cancellationToken).ConfigureAwait(false),
            _ when type == typeof(DateTime) => await FormattedAsync<DateTime>(groups, field, rows, v => v.ToString("o", CultureInfo.InvariantCulture), cancellationToken).ConfigureAwait(false),
            _ when type == typeof(DateOnly) => await FormattedAsync<DateOnly>(groups, field, rows, v => v.ToString("o", CultureInfo.InvariantCulture), cancellationToken).ConfigureAwait(false),
            _ => throw KilnException.Invalid("data", $"column '{field.Name}' has Parquet type {type.Name}, which Kiln cannot train on (exclude it)."),
        };
    }

    private static async Task<TabularColumn> NumbersAsync<T>(IReadOnlyList<ParquetRowGroupReader> groups, DataField field, int rows, CancellationToken cancellationToken)
        where T : struct, INumberBase<T>
    {
        var numbers = new double[rows];
        var offset = 0;
        foreach (var group in groups)
        {
            var count = (int)group.RowCount;
            if (field.IsNullable)
            {
                var values = new T?[count];
                await group.ReadAsync<T>(field, values.AsMemory(), null, cancellationToken).ConfigureAwait(false);
                for (var i = 0; i < count; i++)
                {
                    numbers[offset + i] = values[i] is { } value ? double.CreateTruncating(value) : double.NaN;
                }
            }
            else
            {
                var values = new T[count];
                await group.ReadAsync(field, values.AsMemory(), null, cancellationToken).ConfigureAwait(false);
                for (var i = 0; i < count; i++)
                {
                    numbers[offset + i] = double.CreateTruncating(values[i]);
                }
            }

            offset += count;
        }

        return ColumnBuilder.NumericColumn(field.Name, numbers);
    }

    private static async Task<string?[]> StringsAsync(IReadOnlyList<ParquetRowGroupReader> groups, DataField field, int rows, CancellationToken cancellationToken)
    {
        var strings = new string?[rows];
        var offset = 0;
        foreach (var group in groups)
        {
            var count = (int)group.RowCount;
            await group.ReadAsync(field, strings.AsMemory(offset, count)!, null, cancellationToken).ConfigureAwait(false);
            offset += count;
        }

        return strings;
    }

    private static async Task<TabularColumn> FormattedAsync<T>(IReadOnlyList<ParquetRowGroupReader> groups, DataField field, int rows, Func<T, string> format, CancellationToken cancellationToken)
        where T : struct
    {
        var strings = new string?[rows];
        var offset = 0;
        foreach (var group in groups)
        {
            var count = (int)group.RowCount;
            var values = new T?[count];
            if (field.IsNullable)
            {
                await group.ReadAsync<T>(field, values.AsMemory(), null, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                var plain = new T[count];
                await group.ReadAsync(field, plain.AsMemory(), null, cancellationToken).ConfigureAwait(false);
                for (var i = 0; i < count; i++)
                {
                    values[i] = plain[i];
                }
            }

            for (var i = 0; i < count; i++)
            {
                strings[offset + i] = values[i] is { } value ? format(value) : null;
            }

            offset += count;
        }

        return ColumnBuilder.FromStrings(field.Name, strings);
    }
}
