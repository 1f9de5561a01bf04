using Kiln.Core.Deployments;
using Kiln.Core.Tensors;
using Kiln.Inference.Batching;
using Kiln.Inference.Decoding;
using Kiln.Inference.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Kiln.Inference.Tests.Batching;

/// <summary>
/// Every golden model, scored row by row through one batched ONNX Runtime call, answers each row exactly as
/// scoring that row alone does: tensors of several types and inputs joined, outputs (labels and probability
/// matrices with their class labels) cut back per caller. Floats agree to a few units in the last place, not
/// bit for bit: ONNX Runtime's matrix kernels add in a different order for a different batch size.
/// </summary>
public class BatchedOnnxScoringTests(OnnxModelsFixture models) : IClassFixture<OnnxModelsFixture>
{
    public static TheoryData<string> Models => [.. ExpectedCases.Models];

    [Theory]
    [MemberData(nameof(Models))]
    public async Task Predict_RowsOfEveryCaseBatchedTogether_AnswerEachRowAsScoringItAlone(string model)
    {
        var served = models.Plain(model);
        var time = new FakeTimeProvider();
        var batcher = new DynamicBatcher(served.Runtime, new BatchingPolicy(1_000, 1_000), time, eagerCalls: 0);
        var rows = ExpectedCases.All().Where(c => (string)c[0] == model)
            .Select(c => V2RequestDecoder.Decode(CaseRequests.V2Tensors(ExpectedCases.Get(model, (string)c[1]), served.Layout), served.Layout).Batch)
            .SelectMany(SingleRows).ToArray();

        var batched = rows.Select(row => batcher.PredictAsync(row, null, default)).ToArray();
        time.Advance(TimeSpan.FromMilliseconds(1));

        Assert.True(rows.Length > 2, $"{model}: only {rows.Length} rows in its cases");
        Assert.Equal(1, batcher.Batches);
        for (var i = 0; i < rows.Length; i++)
        {
            AssertSame(served.Runtime.Predict(rows[i], null), await batched[i]);
        }
    }

    /// <summary>A batch cut into one-row batches.</summary>
    private static IEnumerable<InferenceBatch> SingleRows(InferenceBatch batch)
    {
        for (var row = 0; row < batch.Rows; row++)
        {
            var inputs = batch.Inputs.Select(input =>
            {
                var perRow = input.Length / batch.Rows;
                var data = Array.CreateInstanceFromArrayType(input.Data.GetType(), perRow);
                Array.Copy(input.Data, row * perRow, data, 0, perRow);
                var shape = (long[])input.Shape.Clone();
                shape[0] = 1;
                return new Tensor(input.Name, input.DataType, shape, data, perRow);
            }).ToArray();
            yield return new InferenceBatch(inputs, 1);
        }
    }

    private static void AssertSame(InferenceResult expected, InferenceResult actual)
    {
        Assert.Equal(expected.Outputs.Count, actual.Outputs.Count);
        for (var o = 0; o < expected.Outputs.Count; o++)
        {
            var (e, a) = (expected.Outputs[o], actual.Outputs[o]);
            Assert.Equal((e.Name, e.DataType), (a.Name, a.DataType));
            Assert.Equal(e.Shape, a.Shape);
            Assert.Equal(e.Labels, a.Labels);
            if (e.Data is float[] floats)
            {
                Assert.Equal(floats.Take(e.Length), ((float[])a.Data).Take(a.Length), (x, y) => Math.Abs(x - y) <= 1e-6f * Math.Max(1f, Math.Abs(x)));
            }
            else
            {
                Assert.Equal(e.Data.Cast<object>().Take(e.Length), a.Data.Cast<object>().Take(a.Length));
            }
        }
    }
}
