using Kiln.Core.Tensors;

namespace Kiln.Inference.Batching;

/// <summary>One caller's request waiting in a <see cref="DynamicBatcher"/>: its rows, the outputs it wants, and the result it awaits.</summary>
internal sealed class PendingRequest(InferenceBatch batch, IReadOnlyList<string>? outputs)
    : TaskCompletionSource<InferenceResult>(TaskCreationOptions.RunContinuationsAsynchronously)
{
    private CancellationTokenRegistration _cancellation;

    public InferenceBatch Batch { get; } = batch;

    public IReadOnlyList<string>? Outputs { get; } = outputs;

    /// <summary>Whether the caller stopped waiting (or was answered); a batch leaves such a request out.</summary>
    public bool IsSettled => Task.IsCompleted;

    /// <summary>Lets the caller stop waiting when <paramref name="cancellationToken"/> fires; the batch it was in still runs for the others.</summary>
    public void WatchCancellation(CancellationToken cancellationToken)
    {
        if (cancellationToken.CanBeCanceled && !IsSettled)
        {
            _cancellation = cancellationToken.UnsafeRegister(static (state, token) => ((PendingRequest)state!).TrySetCanceled(token), this);
        }
    }

    public void Complete(InferenceResult result)
    {
        TrySetResult(result);
        _cancellation.Unregister();
    }

    public void Fail(Exception exception)
    {
        TrySetException(exception);
        _cancellation.Unregister();
    }
}
