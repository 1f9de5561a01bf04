using System.Buffers;
using System.Text.Json;
using Kiln.Core.Tensors;
using Kiln.Inference.Writers;

namespace Kiln.Inference.Tests.Writers;

public class V2ResponseWriterTests
{
    private static JsonElement Write(params Tensor[] outputs)
    {
        var buffer = new ArrayBufferWriter<byte>();
        V2ResponseWriter.Write(buffer, new InferenceResult(outputs), new ResponseContext("bank-prod", "bank", 3, "req-1"));
        using var document = JsonDocument.Parse(buffer.WrittenMemory);
        return document.RootElement.Clone();
    }

    [Fact]
    public void Write_Outputs_NamesDeploymentVersionAndRequest()
    {
        var response = Write(new Tensor("output_label", TensorDataType.Int64, [2], new long[] { 0, 2 }, 2));

        Assert.Equal("bank-prod", response.GetProperty("model_name").GetString());
        Assert.Equal("3", response.GetProperty("model_version").GetString());
        Assert.Equal("req-1", response.GetProperty("id").GetString());
        Assert.Equal("bank", response.GetProperty("parameters").GetProperty("registered_model").GetString());
        var output = Assert.Single(response.GetProperty("outputs").EnumerateArray());
        Assert.Equal("output_label", output.GetProperty("name").GetString());
        Assert.Equal("INT64", output.GetProperty("datatype").GetString());
        Assert.Equal([2L], output.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()));
        Assert.Equal([0L, 2L], output.GetProperty("data").EnumerateArray().Select(d => d.GetInt64()));
        Assert.False(output.TryGetProperty("parameters", out _));
    }

    [Fact]
    public void Write_ProbabilityMatrix_CarriesClassLabelsAndFlatData()
    {
        var probabilities = new Tensor("output_probability", TensorDataType.Fp32, [2, 2], new float[] { 0.25f, 0.75f, 1f, 0f }, 4) { Labels = ["0", "1"] };

        var output = Write(probabilities).GetProperty("outputs")[0];

        Assert.Equal(["0", "1"], output.GetProperty("parameters").GetProperty("labels").EnumerateArray().Select(l => l.GetString()));
        Assert.Equal([0.25f, 0.75f, 1f, 0f], output.GetProperty("data").EnumerateArray().Select(d => d.GetSingle()));
    }

    [Fact]
    public void Write_NonFiniteValues_AreNull()
    {
        var output = Write(new Tensor("variable", TensorDataType.Fp32, [3, 1], new float[] { float.NaN, float.PositiveInfinity, 1.5f }, 3)).GetProperty("outputs")[0];

        Assert.Equal([JsonValueKind.Null, JsonValueKind.Null, JsonValueKind.Number], output.GetProperty("data").EnumerateArray().Select(d => d.ValueKind));
    }

    [Fact]
    public void Write_PooledArrayLongerThanTheTensor_WritesOnlyItsLength()
    {
        var output = Write(new Tensor("label", TensorDataType.Bytes, [2], new[] { "no", "yes", "stale" }, 2)).GetProperty("outputs")[0];

        Assert.Equal(["no", "yes"], output.GetProperty("data").EnumerateArray().Select(d => d.GetString()));
    }
}
