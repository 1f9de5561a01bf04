using System.Text;
using Kiln.Core.Tensors;
using Kiln.Inference.Decoding;

namespace Kiln.Inference.Tests.Decoding;

/// <summary>Cells read from UTF-8 (batch files) convert exactly as the same text read as a string (CSV requests) does.</summary>
public sealed class ValueWriterUtf8Tests
{
    public static TheoryData<string> Cells() =>
    [
        "0", "41", "-47", "-0", "007", "123456789012345", "1234567890123456", "9999999999999999999", "0.1", "-2.5e-3", "1E400",
        " 12 ", "\t7", "12\u00a0", "", " ", "+5", "abc", "1,5", "NaN", "-Infinity", "0x10", "3.4028236e38", "١٢",
    ];

    [Theory]
    [MemberData(nameof(Cells))]
    public void TryWriteUtf8_EveryType_MatchesTheTextPathBitForBit(string cell)
    {
        foreach (var type in new[] { TensorDataType.Fp32, TensorDataType.Fp64, TensorDataType.Int64, TensorDataType.Int32, TensorDataType.Bool, TensorDataType.Bytes })
        {
            var fromText = ValueWriter.Allocate(type, 1);
            var fromUtf8 = ValueWriter.Allocate(type, 1);

            var textOk = ValueWriter.TryWriteText(fromText, type, 0, cell, out var textProblem);
            var utf8Ok = ValueWriter.TryWriteUtf8(fromUtf8, type, 0, Encoding.UTF8.GetBytes(cell), out var utf8Problem);

            Assert.Equal(textOk, utf8Ok);
            Assert.Equal(textProblem, utf8Problem);
            Assert.Equal(Bits(fromText.GetValue(0)), Bits(fromUtf8.GetValue(0)));
        }
    }

    private static object? Bits(object? value) => value switch
    {
        float f => BitConverter.SingleToInt32Bits(f),
        double d => BitConverter.DoubleToInt64Bits(d),
        _ => value,
    };
}
