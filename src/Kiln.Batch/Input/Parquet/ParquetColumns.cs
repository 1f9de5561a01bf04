using Parquet;
using Parquet.Schema;

namespace Kiln.Batch.Input.Parquet;

/// <summary>Reads one flat column of a row group into a typed array: <c>T[]</c>, <c>T?[]</c> when nullable, <c>string?[]</c>.</summary>
internal static class ParquetColumns
{
    public static async Task<Array> ReadAsync(ParquetRowGroupReader group, DataField field, int rows, string file, CancellationToken cancellationToken)
    {
        if (field.IsArray || field.MaxRepetitionLevel > 0)
        {
            throw new Core.KilnException($"input: {file} column '{field.Name}' is a list; batch scoring reads flat columns only.");
        }

        var type = field.ClrType;
        return type switch
        {
            _ when type == typeof(string) || type == typeof(ReadOnlyMemory<char>) => await StringsAsync(group, field, rows, cancellationToken).ConfigureAwait(false),
            _ when type == typeof(double) => await ValuesAsync<double>(group, field, rows, cancellationToken).ConfigureAwait(false),
            _ when type == typeof(float) => await ValuesAsync<float>(group, field, rows, cancellationToken).ConfigureAwait(false),
            _ when type == typeof(long) => await ValuesAsync<long>(group, field, rows, cancellationToken).ConfigureAwait(false),
            _ when type == typeof(int) => await ValuesAsync<int>(group, field, rows, cancellationToken).ConfigureAwait(false),
            _ when type == typeof(short) => await ValuesAsync<short>(group, field, rows, cancellationToken).ConfigureAwait(false),
            _ when type == typeof(sbyte) => await ValuesAsync<sbyte>(group, field, rows, cancellationToken).ConfigureAwait(false),
            _ when type == typeof(ulong) => await ValuesAsync<ulong>(group, field, rows, cancellationToken).ConfigureAwait(false),
            _ when type == typeof(uint) => await ValuesAsync<uint>(group, field, rows, cancellationToken).ConfigureAwait(false),
            _ when type == typeof(ushort) => await ValuesAsync<ushort>(group, field, rows, cancellationToken).ConfigureAwait(false),
            _ when type == typeof(byte) => await ValuesAsync<byte>(group, field, rows, cancellationToken).ConfigureAwait(false),
            _ when type == typeof(decimal) => await ValuesAsync<decimal>(group, field, rows, cancellationToken).ConfigureAwait(false),
            _ when type == typeof(bool) => await ValuesAsync<bool>(group, field, rows, cancellationToken).ConfigureAwait(false),
            _ when type == typeof(DateTime) => await ValuesAsync<DateTime>(group, field, rows, cancellationToken).ConfigureAwait(false),
            _ when type == typeof(DateOnly) => await ValuesAsync<DateOnly>(group, field, rows, cancellationToken).ConfigureAwait(false),
            _ => throw new Core.KilnException($"input: {file} column '{field.Name}' has Parquet type {type.Name}, which batch scoring does not read."),
        };
    }

    private static async Task<Array> ValuesAsync<T>(ParquetRowGroupReader group, DataField field, int rows, CancellationToken cancellationToken)
        where T : struct
    {
        if (field.IsNullable)
        {
            var nullable = new T?[rows];
            await group.ReadAsync<T>(field, nullable.AsMemory(), null, cancellationToken).ConfigureAwait(false);
            return nullable;
        }

        var values = new T[rows];
        await group.ReadAsync(field, values.AsMemory(), null, cancellationToken).ConfigureAwait(false);
        return values;
    }

    private static async Task<Array> StringsAsync(ParquetRowGroupReader group, DataField field, int rows, CancellationToken cancellationToken)
    {
        var values = new string?[rows];
        await group.ReadAsync(field, values.AsMemory()!, null, cancellationToken).ConfigureAwait(false);
        return values;
    }
}
