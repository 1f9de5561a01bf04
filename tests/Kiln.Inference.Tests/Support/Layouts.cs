using System.Text;
using Kiln.Core.Packaging;
using Kiln.Core.Tensors;
using Kiln.Inference.Decoding;

namespace Kiln.Inference.Tests.Support;

/// <summary>Hand-written model signatures for decoder tests, shaped like the generated models.</summary>
internal static class Layouts
{
    /// <summary>Like tree_classifier.onnx: one FP32 [-1,4] input without column names.</summary>
    public static InputLayout Matrix { get; } = new(new ModelSignature(
        [new TensorSpec("float_input", TensorDataType.Fp32, [-1, 4])],
        [
            new TensorSpec("output_label", TensorDataType.Int64, [-1]),
            new TensorSpec("output_probability", TensorDataType.Fp32, [-1, -1]) { Kind = TensorSpec.ProbabilityMapKind },
        ]));

    /// <summary>Like bank_columns.onnx: one [-1,1] input per column, of mixed types.</summary>
    public static InputLayout Bank { get; } = new(new ModelSignature(
        [
            new TensorSpec("age", TensorDataType.Fp32, [-1, 1]),
            new TensorSpec("balance", TensorDataType.Fp64, [-1, 1]),
            new TensorSpec("campaign", TensorDataType.Int64, [-1, 1]),
            new TensorSpec("job", TensorDataType.Bytes, [-1, 1]),
        ],
        [
            new TensorSpec("label", TensorDataType.Bytes, [-1]),
            new TensorSpec("probabilities", TensorDataType.Fp32, [-1, 2]),
        ]));

    /// <summary>Like gbt_sklearn.onnx with feature names: one FP32 [-1,3] input whose columns are a, b, c.</summary>
    public static InputLayout Features { get; } = new(new ModelSignature(
        [new TensorSpec("features", TensorDataType.Fp32, [-1, 3]) { Columns = ["a", "b", "c"] }],
        [new TensorSpec("score", TensorDataType.Fp32, [-1, 1])]));

    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    /// <summary>A string far longer than any error message should be, to check that messages never echo it.</summary>
    public static string Huge { get; } = new('x', 10 * 1024);

    /// <summary>Asserts that an error message stays short and does not repeat a long payload value.</summary>
    public static void AssertShortMessage(Kiln.Core.KilnException e)
    {
        Assert.True(e.Message.Length < 400, $"message is {e.Message.Length} characters long");
        Assert.DoesNotContain(new string('x', 100), e.Message, StringComparison.Ordinal);
        Assert.True(e.Field is null || e.Field.Length < 200, $"field is {e.Field?.Length} characters long");
    }
}

internal static class TensorData
{
    public static T[] Of<T>(Tensor tensor) => ((T[])tensor.Data)[..tensor.Length];
}
