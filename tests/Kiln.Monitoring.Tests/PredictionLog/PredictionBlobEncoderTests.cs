using System.Text;
using Kiln.Core.Monitoring;
using Kiln.Core.Packaging;
using Kiln.Core.Tensors;
using Kiln.Monitoring.PredictionLog;

namespace Kiln.Monitoring.Tests.PredictionLog;

public sealed class PredictionBlobEncoderTests
{
    [Fact]
    public void Encode_EveryElementTypeAndShape_ReadsBackAsEachRowsJson()
    {
        var signature = new ModelSignature(
            [
                new TensorSpec("features", TensorDataType.Fp32, [-1, 2]) { Columns = ["age", "name \"x\""] },
                new TensorSpec("city", TensorDataType.Bytes, [-1]),
                new TensorSpec("embedding", TensorDataType.Fp64, [-1, 3]),
                new TensorSpec("flag", TensorDataType.Bool, [-1]),
                new TensorSpec("count", TensorDataType.Int32, [-1]),
                new TensorSpec("small", TensorDataType.Int16, [-1]),
            ],
            [new TensorSpec("label", TensorDataType.Int64, [-1]), new TensorSpec("probabilities", TensorDataType.Fp32, [-1, 2])]);

        // Pooled buffers are longer than their tensors: only Length elements are the tensor's.
        var features = new[] { 41f, float.NaN, 30.5f, 2f, 99f, 99f };
        var inputs = new InferenceBatch(
            [
                new Tensor("features", TensorDataType.Fp32, [2, 2], features, 4),
                new Tensor("city", TensorDataType.Bytes, [2], new[] { "Zürich ☕", null! }, 2),
                new Tensor("embedding", TensorDataType.Fp64, [2, 3], new[] { 0.1, 0.2, double.PositiveInfinity, 1, 2, 3 }, 6),
                new Tensor("flag", TensorDataType.Bool, [2], new[] { true, false }, 2),
                new Tensor("count", TensorDataType.Int32, [2], new[] { -7, 7 }, 2),
                new Tensor("small", TensorDataType.Int16, [2], new short[] { 3, -3 }, 2),
            ],
            2);
        var outputs = new InferenceResult(
            [
                new Tensor("label", TensorDataType.Int64, [2], new long[] { 1, 0, 5 }, 2),
                new Tensor("probabilities", TensorDataType.Fp32, [2, 2], new[] { 0.25f, 0.75f, 0.9f, 0.1f }, 4) { Labels = ["0", "1"] },
            ]);
        var record = new PredictionRecord("req", "bank", "primary", "m", 2, DateTimeOffset.UnixEpoch, 1.25, inputs, outputs, signature);

        var request = new PredictionBlobEncoder().Encode(record);
        var blob = PredictionBlob.Read(request.Data);

        Assert.Equal((2, PredictionTask.Binary, 0, "req"), (request.Rows, request.Task, request.FirstRow, request.RequestId));
        Assert.Equal(2, blob.Rows);
        Assert.Equal(
            """{"age":41,"name \u0022x\u0022":null,"city":"Z\u00FCrich \u2615","embedding":[0.1,0.2,null],"flag":true,"count":-7,"small":3}""",
            blob.InputsJson(0));
        Assert.Equal("""{"age":30.5,"name \u0022x\u0022":2,"city":null,"embedding":[1,2,3],"flag":false,"count":7,"small":-3}""", blob.InputsJson(1));
        Assert.Equal("""{"label":1,"probabilities":{"0":0.25,"1":0.75}}""", blob.OutputsJson(0));
        Assert.Equal("""{"label":0,"probabilities":{"0":0.9,"1":0.1}}""", blob.OutputsJson(1));
        Assert.Equal(("1", 0.75, "1"), (blob.Prediction(0), blob.Score(0), blob.PositiveLabel));
        Assert.Equal("0", blob.Prediction(1));
        Assert.Equal(0.1, blob.Score(1)!.Value, 6);

        var readings = PredictionBlob.Read(request.Data, readingsOnly: true);
        Assert.Equal(("0", 0.1f), (readings.Prediction(1), (float)readings.Score(1)!.Value));
    }

    [Fact]
    public void Encode_ARegressionWithoutLabels_HasAScoreAndNoPrediction()
    {
        var signature = new ModelSignature([new TensorSpec("x", TensorDataType.Fp32, [-1])], [new TensorSpec("y", TensorDataType.Fp32, [-1, 1])]);
        var record = new PredictionRecord(
            "r", "price", "primary", "m", 1, DateTimeOffset.UnixEpoch, 1,
            new InferenceBatch([new Tensor("x", TensorDataType.Fp32, [1], new[] { 3f }, 1)], 1),
            new InferenceResult([new Tensor("y", TensorDataType.Fp32, [1, 1], new[] { 12.5f }, 1)]),
            signature);

        var request = new PredictionBlobEncoder().Encode(record);
        var blob = PredictionBlob.Read(request.Data);

        Assert.Equal(PredictionTask.Regression, request.Task);
        Assert.Equal(("""{"x":3}""", """{"y":12.5}"""), (blob.InputsJson(0), blob.OutputsJson(0)));
        Assert.Equal((null, 12.5, null), (blob.Prediction(0), blob.Score(0), blob.PositiveLabel));
    }

    [Fact]
    public void Read_ARowLoggedBeforeTheColumnarLayout_ReturnsItsJsonAsItWas()
    {
        var legacy = Encoding.UTF8.GetBytes("""{"inputs":{"a":1,"b":"x y"},"outputs":{"p":0.8},"prediction":"yes","score":0.8,"positive_label":"yes"}""");

        var blob = PredictionBlob.Read(legacy);

        Assert.Equal((1, """{"a":1,"b":"x y"}""", """{"p":0.8}"""), (blob.Rows, blob.InputsJson(0), blob.OutputsJson(0)));
        Assert.Equal(("yes", 0.8, "yes"), (blob.Prediction(0), blob.Score(0), blob.PositiveLabel));
        Assert.Null(PredictionBlob.Read("""{"inputs":{},"outputs":{},"prediction":null,"score":null,"positive_label":null}"""u8).Score(0));
    }

    [Fact]
    public void Read_AnUnknownFormat_IsRefused()
    {
        Assert.Throws<InvalidDataException>(() => PredictionBlob.Read([9, 0, 0, 0, 0]));
    }
}
