namespace Kiln.Core.Tensors;

/// <summary>
/// A named tensor in row-major order. <see cref="Data"/> is a typed array matching
/// <see cref="DataType"/>: <c>float[]</c> for FP32, <c>double[]</c> for FP64, <c>long[]</c> for INT64,
/// <c>int[]</c> for INT32, <c>string[]</c> for BYTES, <c>bool[]</c> for BOOL, and so on
/// (<c>Half[]</c> for FP16). <see cref="Length"/> elements of it are used (the array may be pooled and longer).
/// </summary>
public sealed class Tensor
{
    /// <summary>Creates a tensor over an existing typed array.</summary>
    public Tensor(string name, TensorDataType dataType, long[] shape, Array data, int length)
    {
        Name = name;
        DataType = dataType;
        Shape = shape;
        Data = data;
        Length = length;
    }

    /// <summary>The tensor's name: the input or output it belongs to.</summary>
    public string Name { get; }

    /// <summary>The element type.</summary>
    public TensorDataType DataType { get; }

    /// <summary>The dimensions; the first is the batch (row) dimension.</summary>
    public long[] Shape { get; }

    /// <summary>The elements, row-major.</summary>
    public Array Data { get; }

    /// <summary>How many elements of <see cref="Data"/> are used.</summary>
    public int Length { get; }

    /// <summary>Optional labels for the last dimension, e.g. class labels of a probability matrix.</summary>
    public IReadOnlyList<string>? Labels { get; init; }

    /// <summary>The number of rows: the first dimension, or 1 for a scalar.</summary>
    public long Rows => Shape.Length == 0 ? 1 : Shape[0];

    /// <summary>The number of elements the shape describes.</summary>
    public static long ElementCount(ReadOnlySpan<long> shape)
    {
        long count = 1;
        foreach (var dim in shape)
        {
            count *= dim;
        }

        return count;
    }
}
