using System.Collections.Concurrent;
using Kiln.Core.Packaging;
using Kiln.Core.Tensors;
using Kiln.Inference.Runtime;

namespace Kiln.Inference.Tests.Batching;

/// <summary>
/// A model that answers each row <c>[a, b]</c> with <c>a * 2</c> (output <c>y</c>) and <c>b</c> (output <c>z</c>), refuses a
/// batch holding a negative <c>a</c> as a model refusing bad input would, and records the rows of every call it got.
/// </summary>
internal sealed class DoublingRuntime : IModelRuntime
{
    private static readonly ModelSignature SharedSignature = new(
        [new TensorSpec("x", TensorDataType.Fp32, [-1, 2])],
        [new TensorSpec("y", TensorDataType.Fp32, [-1, 1]), new TensorSpec("z", TensorDataType.Fp32, [-1])]);

    public ModelSignature Signature => SharedSignature;

    /// <summary>Answers with one summary value per call instead of one per row, as a model that cannot be batched would.</summary>
    public bool Aggregates { get; init; }

    /// <summary>When set, every call waits for it after announcing itself on <see cref="Started"/>: a model busy for as long as a test wants.</summary>
    public ManualResetEventSlim? Hold { get; init; }

    /// <summary>Released once as each call starts.</summary>
    public SemaphoreSlim Started { get; } = new(0);

    /// <summary>Sleeps this long in each call, as a slower model would.</summary>
    public TimeSpan Work { get; init; }

    /// <summary>Each call's first-column values, in the order of the calls.</summary>
    public ConcurrentQueue<float[]> Calls { get; } = new();

    public InferenceResult Predict(InferenceBatch batch, IReadOnlyList<string>? outputs)
    {
        var input = batch.Inputs[0];
        var x = (float[])input.Data;
        var a = new float[batch.Rows];
        var b = new float[batch.Rows];
        for (var row = 0; row < batch.Rows; row++)
        {
            a[row] = x[row * 2];
            b[row] = x[(row * 2) + 1];
        }

        Calls.Enqueue(a);
        Started.Release();
        Hold?.Wait(TimeSpan.FromSeconds(30));
        if (Work > TimeSpan.Zero)
        {
            Thread.Sleep(Work);
        }

        if (a.Any(value => value < 0))
        {
            throw new ArgumentException($"negative input {a.First(value => value < 0)}");
        }

        if (Aggregates)
        {
            return new InferenceResult([new Tensor("y", TensorDataType.Fp32, [1], new[] { a.Sum() }, 1)]);
        }

        var y = new Tensor("y", TensorDataType.Fp32, [batch.Rows, 1], a.Select(value => value * 2).ToArray(), batch.Rows) { Labels = ["doubled"] };
        var z = new Tensor("z", TensorDataType.Fp32, [batch.Rows], b, batch.Rows);
        return new InferenceResult(outputs is null ? [y, z] : [.. new[] { y, z }.Where(t => outputs.Contains(t.Name))]);
    }

    public void Dispose()
    {
    }

    /// <summary>A batch of rows <c>[a, a + 0.5]</c> for each given <c>a</c>.</summary>
    public static InferenceBatch Rows(params float[] values)
    {
        var data = values.SelectMany(a => new[] { a, a + 0.5f }).ToArray();
        return new InferenceBatch([new Tensor("x", TensorDataType.Fp32, [values.Length, 2], data, data.Length)], values.Length);
    }
}
