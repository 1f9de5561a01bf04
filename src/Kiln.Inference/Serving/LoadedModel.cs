using Kiln.Inference.Decoding;
using Kiln.Inference.Runtime;

namespace Kiln.Inference.Serving;

/// <summary>
/// A model version loaded and warm, shared by the requests that lease it. It is reference
/// counted: the serving table holds one reference and each in-flight request one more, so a
/// version swapped out is disposed only after its last request finishes.
/// </summary>
public sealed class LoadedModel
{
    private int _references = 1;

    public LoadedModel(string modelName, int version, IModelRuntime runtime)
    {
        ModelName = modelName;
        Version = version;
        VersionText = version.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Runtime = runtime;
        Layout = new InputLayout(runtime.Signature);
    }

    public string ModelName { get; }

    public int Version { get; }

    /// <summary>The version number as text, formatted once for response headers and metric labels.</summary>
    public string VersionText { get; }

    public IModelRuntime Runtime { get; }

    public InputLayout Layout { get; }

    /// <summary>Whether the model has been released by everyone and disposed.</summary>
    public bool IsDisposed => Volatile.Read(ref _references) == 0;

    /// <summary>Takes a reference unless the model is already disposed (a count, once zero, never rises again).</summary>
    public bool TryAcquire()
    {
        while (true)
        {
            var current = Volatile.Read(ref _references);
            if (current == 0)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _references, current + 1, current) == current)
            {
                return true;
            }
        }
    }

    /// <summary>Gives a reference back; the last one disposes the runtime.</summary>
    public void Release()
    {
        if (Interlocked.Decrement(ref _references) == 0)
        {
            Runtime.Dispose();
        }
    }
}
