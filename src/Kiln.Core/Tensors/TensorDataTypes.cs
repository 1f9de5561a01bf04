namespace Kiln.Core.Tensors;

/// <summary>Names and conversion rules of <see cref="TensorDataType"/>.</summary>
public static class TensorDataTypes
{
    /// <summary>The Open Inference Protocol v2 name of a type, e.g. <c>FP32</c>.</summary>
    public static string ToV2Name(this TensorDataType type) => type switch
    {
        TensorDataType.Bool => "BOOL",
        TensorDataType.UInt8 => "UINT8",
        TensorDataType.UInt16 => "UINT16",
        TensorDataType.UInt32 => "UINT32",
        TensorDataType.UInt64 => "UINT64",
        TensorDataType.Int8 => "INT8",
        TensorDataType.Int16 => "INT16",
        TensorDataType.Int32 => "INT32",
        TensorDataType.Int64 => "INT64",
        TensorDataType.Fp16 => "FP16",
        TensorDataType.Fp32 => "FP32",
        TensorDataType.Fp64 => "FP64",
        TensorDataType.Bytes => "BYTES",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    /// <summary>Parses a v2 datatype name (case-sensitive, as the protocol specifies).</summary>
    public static bool TryParseV2Name(ReadOnlySpan<char> name, out TensorDataType type)
    {
        switch (name)
        {
            case "BOOL": type = TensorDataType.Bool; return true;
            case "UINT8": type = TensorDataType.UInt8; return true;
            case "UINT16": type = TensorDataType.UInt16; return true;
            case "UINT32": type = TensorDataType.UInt32; return true;
            case "UINT64": type = TensorDataType.UInt64; return true;
            case "INT8": type = TensorDataType.Int8; return true;
            case "INT16": type = TensorDataType.Int16; return true;
            case "INT32": type = TensorDataType.Int32; return true;
            case "INT64": type = TensorDataType.Int64; return true;
            case "FP16": type = TensorDataType.Fp16; return true;
            case "FP32": type = TensorDataType.Fp32; return true;
            case "FP64": type = TensorDataType.Fp64; return true;
            case "BYTES": type = TensorDataType.Bytes; return true;
            default: type = default; return false;
        }
    }

    /// <summary>The MLflow schema type name closest to a tensor type.</summary>
    public static string ToMlflowName(this TensorDataType type) => type switch
    {
        TensorDataType.Bool => "boolean",
        TensorDataType.Int8 or TensorDataType.Int16 or TensorDataType.Int32 or TensorDataType.UInt8 or TensorDataType.UInt16 => "integer",
        TensorDataType.Int64 or TensorDataType.UInt32 or TensorDataType.UInt64 => "long",
        TensorDataType.Fp16 or TensorDataType.Fp32 => "float",
        TensorDataType.Fp64 => "double",
        TensorDataType.Bytes => "string",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    /// <summary>
    /// Whether a value of <paramref name="from"/> may be fed to an input of <paramref name="to"/>
    /// without losing information: MLflow's schema enforcement allows only safe widening
    /// (int32 → int64, int → float64, float32 → float64, and integers that fit float32 exactly).
    /// </summary>
    public static bool CanWidenTo(this TensorDataType from, TensorDataType to)
    {
        if (from == to)
        {
            return true;
        }

        return to switch
        {
            TensorDataType.Int16 => from is TensorDataType.Int8 or TensorDataType.UInt8,
            TensorDataType.Int32 => from is TensorDataType.Int8 or TensorDataType.Int16 or TensorDataType.UInt8 or TensorDataType.UInt16,
            TensorDataType.Int64 => from is TensorDataType.Int8 or TensorDataType.Int16 or TensorDataType.Int32
                or TensorDataType.UInt8 or TensorDataType.UInt16 or TensorDataType.UInt32,
            TensorDataType.Fp32 => from is TensorDataType.Fp16 or TensorDataType.Int8 or TensorDataType.Int16
                or TensorDataType.UInt8 or TensorDataType.UInt16,
            TensorDataType.Fp64 => from is TensorDataType.Fp16 or TensorDataType.Fp32 or TensorDataType.Int8 or TensorDataType.Int16
                or TensorDataType.Int32 or TensorDataType.UInt8 or TensorDataType.UInt16 or TensorDataType.UInt32,
            _ => false,
        };
    }

    /// <summary>Whether the type holds numbers (everything but <see cref="TensorDataType.Bytes"/> and <see cref="TensorDataType.Bool"/>).</summary>
    public static bool IsNumeric(this TensorDataType type) => type is not (TensorDataType.Bytes or TensorDataType.Bool);
}
