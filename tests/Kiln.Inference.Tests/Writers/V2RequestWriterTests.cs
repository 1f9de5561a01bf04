using System.Text.Json;
using Kiln.Core.Tensors;
using Kiln.Inference.Decoding;
using Kiln.Inference.Tests.Support;
using Kiln.Inference.Writers;

namespace Kiln.Inference.Tests.Writers;

public class V2RequestWriterTests
{
    [Fact]
    public void ToJson_Batch_DecodesBackToTheSameTensors()
    {
        var batch = new InferenceBatch(
            [
                new Tensor("age", TensorDataType.Fp32, [2, 1], new[] { 35f, 58.5f }, 2),
                new Tensor("balance", TensorDataType.Fp64, [2, 1], new[] { 1500.5, -320.75 }, 2),
                new Tensor("campaign", TensorDataType.Int64, [2, 1], new long[] { 2, 1 }, 2),
                new Tensor("job", TensorDataType.Bytes, [2, 1], new[] { "management", "blue-collar" }, 2),
            ],
            2);

        var json = V2RequestWriter.ToJson(batch);
        var decoded = V2RequestDecoder.Decode(JsonSerializer.SerializeToUtf8Bytes(json), Layouts.Bank).Batch;

        Assert.Equal(2, decoded.Rows);
        for (var i = 0; i < batch.Inputs.Count; i++)
        {
            Assert.Equal(batch.Inputs[i].Name, decoded.Inputs[i].Name);
            Assert.Equal(batch.Inputs[i].Shape, decoded.Inputs[i].Shape);
            Assert.Equal(ScoreAssert.Elements(batch.Inputs[i]), ScoreAssert.Elements(decoded.Inputs[i]));
        }
    }
}
