using System.Buffers;
using System.Text;
using Kiln.Core.Tensors;
using Kiln.Inference.Writers;

namespace Kiln.Inference.Tests.Writers;

public class PredictionsWriterTests
{
    private static string Write(int rows, params Tensor[] outputs)
    {
        var buffer = new ArrayBufferWriter<byte>();
        PredictionsWriter.Write(buffer, new InferenceResult(outputs), rows);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    [Fact]
    public void Write_SingleOutput_GivesOneValuePerRow() =>
        Assert.Equal(
            """{"predictions":["no","yes"]}""",
            Write(2, new Tensor("label", TensorDataType.Bytes, [2], new[] { "no", "yes" }, 2)));

    [Fact]
    public void Write_SingleColumnMatrix_GivesScalarsNotOneElementArrays() =>
        Assert.Equal(
            """{"predictions":[4.75,0.75]}""",
            Write(2, new Tensor("variable", TensorDataType.Fp32, [2, 1], new[] { 4.75f, 0.75f }, 2)));

    [Fact]
    public void Write_SeveralOutputs_GivesARecordPerRow() =>
        Assert.Equal(
            """{"predictions":[{"label":"no","probabilities":[0.75,0.25]},{"label":"yes","probabilities":[0.5,0.5]}]}""",
            Write(
                2,
                new Tensor("label", TensorDataType.Bytes, [2], new[] { "no", "yes" }, 2),
                new Tensor("probabilities", TensorDataType.Fp32, [2, 2], new[] { 0.75f, 0.25f, 0.5f, 0.5f }, 4)));

    [Fact]
    public void Write_LabelledProbabilities_GivesAClassMapPerRow() =>
        Assert.Equal(
            """{"predictions":[{"output_label":1,"output_probability":{"0":0.25,"1":0.75}}]}""",
            Write(
                1,
                new Tensor("output_label", TensorDataType.Int64, [1], new long[] { 1 }, 1),
                new Tensor("output_probability", TensorDataType.Fp32, [1, 2], new[] { 0.25f, 0.75f }, 2) { Labels = ["0", "1"] }));

    [Fact]
    public void Write_ThreeDimensionalOutput_NestsEachRow() =>
        Assert.Equal(
            """{"predictions":[[[1,2],[3,4]]]}""",
            Write(1, new Tensor("grid", TensorDataType.Int32, [1, 2, 2], new[] { 1, 2, 3, 4 }, 4)));
}
