using System.Text.Json.Nodes;

namespace Kiln.Pipelines.Execution;

/// <summary>Runs the steps of one kind. Registered once per kind; the engine calls it for every attempt.</summary>
public interface IStepExecutor
{
    /// <summary>The step kind it runs (see <see cref="Definitions.StepKinds"/>).</summary>
    string Kind { get; }

    /// <summary>
    /// Runs one attempt and returns the step's outputs. Throw <see cref="StepFailedException"/> for a failure with a
    /// reason (retryable or not); any other exception is a retryable failure. Cancellation means the step timed out,
    /// the run was cancelled or the replica is stopping. An attempt may follow one that was interrupted half way, so an
    /// executor with effects outside Kiln's run (a registered version, a canary) first looks for what an earlier attempt
    /// of the same run and step already did.
    /// </summary>
    Task<JsonObject> ExecuteAsync(StepExecution step, CancellationToken cancellationToken);

    /// <summary>
    /// What, beyond the resolved inputs, decides the step's result: a file's content digest, say. It goes into the cache
    /// key. Null when the inputs say it all.
    /// </summary>
    ValueTask<string?> CacheIdentityAsync(StepExecution step, CancellationToken cancellationToken) => ValueTask.FromResult<string?>(null);
}

/// <summary>A step failing for a reason the engine should report as is.</summary>
public sealed class StepFailedException : Exception
{
    public StepFailedException(string message, bool retryable = false) : base(message) => Retryable = retryable;

    public StepFailedException() : this("The step failed.")
    {
    }

    public StepFailedException(string message, Exception innerException) : base(message, innerException) => Retryable = true;

    /// <summary>True when another attempt could succeed (a network error), false when it cannot (a rejected approval).</summary>
    public bool Retryable { get; }
}
