using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Kiln.Core.Tensors;

namespace Kiln.Inference.Decoding;

/// <summary>
/// Writes one JSON or text value into a typed array, with MLflow's casting rules: numbers go to
/// float columns (null is a missing value, NaN), integers only to integer columns and only in range,
/// strings only to string columns. On failure it says what was expected and what came, never the value's whole text.
/// </summary>
public static class ValueWriter
{
    public static bool TryWrite(Array target, TensorDataType type, int index, JsonElement value, out string? problem)
    {
        problem = null;
        switch (type)
        {
            case TensorDataType.Fp32:
                if (TryGetFloating(value, out var f32, out problem))
                {
                    ((float[])target)[index] = (float)f32;
                    return true;
                }

                return false;
            case TensorDataType.Fp64:
                if (TryGetFloating(value, out var f64, out problem))
                {
                    ((double[])target)[index] = f64;
                    return true;
                }

                return false;
            case TensorDataType.Fp16:
                if (TryGetFloating(value, out var f16, out problem))
                {
                    ((Half[])target)[index] = (Half)f16;
                    return true;
                }

                return false;
            case TensorDataType.Bytes:
                if (value.ValueKind == JsonValueKind.String)
                {
                    ((string[])target)[index] = value.GetString()!;
                    return true;
                }

                problem = $"expected a string, got {Describe(value)}";
                return false;
            case TensorDataType.Bool:
                if (value.ValueKind is JsonValueKind.True or JsonValueKind.False)
                {
                    ((bool[])target)[index] = value.ValueKind == JsonValueKind.True;
                    return true;
                }

                problem = $"expected true or false, got {Describe(value)}";
                return false;
            default:
                return TryWriteInteger(target, type, index, value, out problem);
        }
    }

    /// <summary>Writes one cell of text (CSV): an empty number is missing (NaN), other types parse the trimmed text.</summary>
    public static bool TryWriteText(Array target, TensorDataType type, int index, string text, out string? problem)
    {
        if (type == TensorDataType.Bytes)
        {
            problem = null;
            ((string[])target)[index] = text;
            return true;
        }

        return TryWriteText(target, type, index, text.AsSpan(), out problem);
    }

    /// <summary>Writes one cell of UTF-8 text, as <see cref="TryWriteText(Array, TensorDataType, int, string, out string?)"/> does.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // batch scoring calls it for every cell of a file: optimised from the first call
    public static bool TryWriteUtf8(Array target, TensorDataType type, int index, ReadOnlySpan<byte> utf8, out string? problem)
    {
        // Fast paths for what files mostly hold: a plain integer, or a number .NET reads straight from UTF-8.
        // Both give exactly what the text path gives; anything else (blank, odd spaces, errors) takes the text path.
        if (type is TensorDataType.Fp32 or TensorDataType.Fp64 && TryParseNumber(utf8, out var number))
        {
            problem = null;
            if (type == TensorDataType.Fp32)
            {
                ((float[])target)[index] = (float)number;
            }
            else
            {
                ((double[])target)[index] = number;
            }

            return true;
        }

        if (type == TensorDataType.Int64 && TryParseSmallInteger(utf8, out var integer))
        {
            problem = null;
            ((long[])target)[index] = integer;
            return true;
        }

        if (type == TensorDataType.Bytes || utf8.Length > 128)
        {
            return TryWriteText(target, type, index, System.Text.Encoding.UTF8.GetString(utf8), out problem);
        }

        Span<char> chars = stackalloc char[128];
        var length = System.Text.Encoding.UTF8.GetChars(utf8, chars);
        return TryWriteText(target, type, index, chars[..length], out problem);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool TryParseNumber(ReadOnlySpan<byte> utf8, out double number)
    {
        if (TryParseSmallInteger(utf8, out var whole))
        {
            number = whole;
            return true;
        }

        return !utf8.IsEmpty & double.TryParse(utf8, NumberStyles.Float, CultureInfo.InvariantCulture, out number);
    }

    /// <summary>An optional minus sign and 1 to 15 ASCII digits, nothing else: exact as a double too.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool TryParseSmallInteger(ReadOnlySpan<byte> utf8, out long value)
    {
        value = 0;
        var negative = utf8.Length > 0 && utf8[0] == '-';
        var digits = negative ? utf8[1..] : utf8;
        if (digits.Length is 0 or > 15)
        {
            return false;
        }

        foreach (var b in digits)
        {
            var digit = (uint)(b - '0');
            if (digit > 9)
            {
                return false;
            }

            value = (value * 10) + digit;
        }

        if (negative)
        {
            // "-0" is negative zero as a double; the general path keeps that.
            value = -value;
            return value != 0;
        }

        return true;
    }

    /// <summary>Writes one cell of text that is not for a string input.</summary>
    public static bool TryWriteText(Array target, TensorDataType type, int index, ReadOnlySpan<char> text, out string? problem)
    {
        problem = null;
        var span = text.Trim();
        switch (type)
        {
            case TensorDataType.Bytes:
                ((string[])target)[index] = span.ToString();
                return true;
            case TensorDataType.Fp32 or TensorDataType.Fp64 or TensorDataType.Fp16:
                double number;
                if (span.IsEmpty)
                {
                    number = double.NaN;
                }
                else if (!double.TryParse(span, NumberStyles.Float, CultureInfo.InvariantCulture, out number))
                {
                    problem = "expected a number, got text";
                    return false;
                }

                if (type == TensorDataType.Fp32)
                {
                    ((float[])target)[index] = (float)number;
                }
                else if (type == TensorDataType.Fp64)
                {
                    ((double[])target)[index] = number;
                }
                else
                {
                    ((Half[])target)[index] = (Half)number;
                }

                return true;
            case TensorDataType.Bool:
                if (bool.TryParse(span, out var flag))
                {
                    ((bool[])target)[index] = flag;
                    return true;
                }

                problem = "expected true or false";
                return false;
            default:
                if (!long.TryParse(span, NumberStyles.Integer, CultureInfo.InvariantCulture, out var integer))
                {
                    problem = span.IsEmpty ? "is missing (integer columns cannot hold missing values)" : "expected an integer";
                    return false;
                }

                return TryStoreInteger(target, type, index, integer, out problem);
        }
    }

    /// <summary>
    /// Writes one typed number (a Parquet cell): NaN is missing, integer inputs take whole numbers in range only,
    /// string inputs take the number's invariant text.
    /// </summary>
    public static bool TryWriteNumber(Array target, TensorDataType type, int index, double value, out string? problem)
    {
        problem = null;
        switch (type)
        {
            case TensorDataType.Fp32: ((float[])target)[index] = (float)value; return true;
            case TensorDataType.Fp64: ((double[])target)[index] = value; return true;
            case TensorDataType.Fp16: ((Half[])target)[index] = (Half)value; return true;
            case TensorDataType.Bytes: ((string[])target)[index] = value.ToString(CultureInfo.InvariantCulture); return true;
            case TensorDataType.Bool:
                problem = "expected true or false, got a number";
                return false;
            default:
                if (double.IsNaN(value))
                {
                    problem = "is missing (integer columns cannot hold missing values)";
                    return false;
                }

                if (value != Math.Floor(value) || value is < long.MinValue or >= 9.2233720368547758E+18)
                {
                    problem = "expected an integer, got a number with a fraction or out of range";
                    return false;
                }

                return TryStoreInteger(target, type, index, (long)value, out problem);
        }
    }

    /// <summary>Writes one typed integer (a Parquet cell) without passing it through a double.</summary>
    public static bool TryWriteInteger(Array target, TensorDataType type, int index, long value, out string? problem)
    {
        problem = null;
        switch (type)
        {
            case TensorDataType.Fp32 or TensorDataType.Fp64 or TensorDataType.Fp16 or TensorDataType.Bool:
                return TryWriteNumber(target, type, index, value, out problem);
            case TensorDataType.Bytes:
                ((string[])target)[index] = value.ToString(CultureInfo.InvariantCulture);
                return true;
            default:
                return TryStoreInteger(target, type, index, value, out problem);
        }
    }

    private static bool TryGetFloating(JsonElement value, out double number, out string? problem)
    {
        problem = null;
        if (value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out number))
        {
            return true;
        }

        if (value.ValueKind == JsonValueKind.Null)
        {
            number = double.NaN;
            return true;
        }

        number = 0;
        problem = $"expected a number, got {Describe(value)}";
        return false;
    }

    private static bool TryWriteInteger(Array target, TensorDataType type, int index, JsonElement value, out string? problem)
    {
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt64(out var integer))
        {
            problem = value.ValueKind == JsonValueKind.Number
                ? "expected an integer, got a number with a fraction or out of range (MLflow's rules allow no narrowing)"
                : $"expected an integer, got {Describe(value)}";
            return false;
        }

        return TryStoreInteger(target, type, index, integer, out problem);
    }

    private static bool TryStoreInteger(Array target, TensorDataType type, int index, long integer, out string? problem)
    {
        problem = null;
        switch (type)
        {
            case TensorDataType.Int64: ((long[])target)[index] = integer; return true;
            case TensorDataType.Int32 when integer is >= int.MinValue and <= int.MaxValue: ((int[])target)[index] = (int)integer; return true;
            case TensorDataType.Int16 when integer is >= short.MinValue and <= short.MaxValue: ((short[])target)[index] = (short)integer; return true;
            case TensorDataType.Int8 when integer is >= sbyte.MinValue and <= sbyte.MaxValue: ((sbyte[])target)[index] = (sbyte)integer; return true;
            case TensorDataType.UInt64 when integer >= 0: ((ulong[])target)[index] = (ulong)integer; return true;
            case TensorDataType.UInt32 when integer is >= 0 and <= uint.MaxValue: ((uint[])target)[index] = (uint)integer; return true;
            case TensorDataType.UInt16 when integer is >= 0 and <= ushort.MaxValue: ((ushort[])target)[index] = (ushort)integer; return true;
            case TensorDataType.UInt8 when integer is >= 0 and <= byte.MaxValue: ((byte[])target)[index] = (byte)integer; return true;
            default:
                problem = $"integer out of range for {type.ToV2Name()}";
                return false;
        }
    }

    public static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        _ => "nothing",
    };

    public static Array Allocate(TensorDataType type, int length) => type switch
    {
        TensorDataType.Fp32 => new float[length],
        TensorDataType.Fp64 => new double[length],
        TensorDataType.Fp16 => new Half[length],
        TensorDataType.Int64 => new long[length],
        TensorDataType.Int32 => new int[length],
        TensorDataType.Int16 => new short[length],
        TensorDataType.Int8 => new sbyte[length],
        TensorDataType.UInt64 => new ulong[length],
        TensorDataType.UInt32 => new uint[length],
        TensorDataType.UInt16 => new ushort[length],
        TensorDataType.UInt8 => new byte[length],
        TensorDataType.Bool => new bool[length],
        TensorDataType.Bytes => new string[length],
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };
}
