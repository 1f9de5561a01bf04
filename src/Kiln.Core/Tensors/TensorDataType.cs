using System.Text.Json.Serialization;

namespace Kiln.Core.Tensors;

/// <summary>Element types of a tensor, named as in the Open Inference Protocol v2.</summary>
public enum TensorDataType
{
    /// <summary>Boolean.</summary>
    [JsonStringEnumMemberName("BOOL")]
    Bool,
    /// <summary>Unsigned 8-bit integer.</summary>
    [JsonStringEnumMemberName("UINT8")]
    UInt8,
    /// <summary>Unsigned 16-bit integer.</summary>
    [JsonStringEnumMemberName("UINT16")]
    UInt16,
    /// <summary>Unsigned 32-bit integer.</summary>
    [JsonStringEnumMemberName("UINT32")]
    UInt32,
    /// <summary>Unsigned 64-bit integer.</summary>
    [JsonStringEnumMemberName("UINT64")]
    UInt64,
    /// <summary>Signed 8-bit integer.</summary>
    [JsonStringEnumMemberName("INT8")]
    Int8,
    /// <summary>Signed 16-bit integer.</summary>
    [JsonStringEnumMemberName("INT16")]
    Int16,
    /// <summary>Signed 32-bit integer.</summary>
    [JsonStringEnumMemberName("INT32")]
    Int32,
    /// <summary>Signed 64-bit integer.</summary>
    [JsonStringEnumMemberName("INT64")]
    Int64,
    /// <summary>IEEE half precision float.</summary>
    [JsonStringEnumMemberName("FP16")]
    Fp16,
    /// <summary>IEEE single precision float.</summary>
    [JsonStringEnumMemberName("FP32")]
    Fp32,
    /// <summary>IEEE double precision float.</summary>
    [JsonStringEnumMemberName("FP64")]
    Fp64,
    /// <summary>Variable-length bytes, carried as UTF-8 strings in JSON.</summary>
    [JsonStringEnumMemberName("BYTES")]
    Bytes,
}
