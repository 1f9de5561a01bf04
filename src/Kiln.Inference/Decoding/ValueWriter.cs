using System.Globalization;
using System.Text.Json;
using Kiln.Core.Tensors;

namespace Kiln.Inference.Decoding;

/// <summary>
/// Writes one JSON or text value into a typed array, with MLflow's casting rules: numbers go to
/// float columns (null is a missing value, NaN), integers only to integer columns and only in range,
/// strings only to string columns. On failure it says what was expected and what came, never the value's whole text.
/// </summary>
internal static class ValueWriter
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

    public static bool TryWriteText(Array target, TensorDataType type, int index, string text, out string? problem)
    {
        problem = null;
        var span = text.AsSpan().Trim();
        switch (type)
        {
            case TensorDataType.Bytes:
                ((string[])target)[index] = text;
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
