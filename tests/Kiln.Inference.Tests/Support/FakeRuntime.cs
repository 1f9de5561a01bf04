using Kiln.Core.Packaging;
using Kiln.Core.Tensors;
using Kiln.Inference.Runtime;

namespace Kiln.Inference.Tests.Support;

/// <summary>
/// A model runtime that records its disposal and refuses use after it: <see cref="Predict"/> throws
/// once disposed, and a dispose that overlaps a running <see cref="Predict"/> is counted, so either
/// side of that race is caught.
/// </summary>
internal sealed class FakeRuntime : IModelRuntime
{
    private int _disposeCount;
    private int _active;
    private int _disposedWhileInUse;

    private static readonly ModelSignature SharedSignature = new(
        [new TensorSpec("x", TensorDataType.Fp32, [-1, 1])],
        [new TensorSpec("y", TensorDataType.Fp32, [-1, 1])]);

    public ModelSignature Signature => SharedSignature;

    /// <summary>Makes <see cref="Predict"/> fail, as a model that cannot score its example would.</summary>
    public Exception? FailWith { get; init; }

    public int DisposeCount => Volatile.Read(ref _disposeCount);

    public bool IsDisposed => DisposeCount > 0;

    public int DisposedWhileInUse => Volatile.Read(ref _disposedWhileInUse);

    public int Predictions { get; private set; }

    public InferenceResult Predict(InferenceBatch batch, IReadOnlyList<string>? outputs)
    {
        Interlocked.Increment(ref _active);
        try
        {
            ObjectDisposedException.ThrowIf(IsDisposed, this);
            if (FailWith is not null)
            {
                throw FailWith;
            }

            Predictions++;
            var input = batch.Inputs[0];
            return new InferenceResult([new Tensor("y", TensorDataType.Fp32, input.Shape, input.Data, input.Length)]);
        }
        finally
        {
            Interlocked.Decrement(ref _active);
        }
    }

    public void Dispose()
    {
        if (Volatile.Read(ref _active) > 0)
        {
            Interlocked.Increment(ref _disposedWhileInUse);
        }

        Interlocked.Increment(ref _disposeCount);
    }

    /// <summary>A one-row batch for the fake signature.</summary>
    public static InferenceBatch Batch { get; } = new([new Tensor("x", TensorDataType.Fp32, [1, 1], new float[] { 1f }, 1)], 1);
}
