using Kiln.Core.Errors;

namespace Kiln.Core;

/// <summary>
/// An error Kiln reports to its caller: bad input, a missing thing, a conflict. The message is
/// safe to show to a client: it names the field and the problem, never echoes a whole payload.
/// </summary>
public sealed class KilnException : Exception
{
    /// <summary>Creates an error of a kind, optionally naming the field at fault.</summary>
    public KilnException(KilnErrorKind kind, string message, string? field = null)
        : base(message)
    {
        Kind = kind;
        Field = field;
    }

    /// <summary>Creates an error (for serializers and analyzers; prefer the factory methods).</summary>
    public KilnException() : this(KilnErrorKind.Invalid, "Invalid request.")
    {
    }

    /// <summary>Creates an error (for serializers and analyzers; prefer the factory methods).</summary>
    public KilnException(string message) : this(KilnErrorKind.Invalid, message)
    {
    }

    /// <summary>Creates an error (for serializers and analyzers; prefer the factory methods).</summary>
    public KilnException(string message, Exception innerException) : base(message, innerException)
    {
        Kind = KilnErrorKind.Invalid;
    }

    /// <summary>What went wrong.</summary>
    public KilnErrorKind Kind { get; }

    /// <summary>The field at fault (e.g. <c>inputs[0].data</c>), when there is one.</summary>
    public string? Field { get; }

    /// <summary>A 400: <paramref name="field"/> <paramref name="problem"/>.</summary>
    public static KilnException Invalid(string field, string problem) => new(KilnErrorKind.Invalid, $"{field}: {problem}", field);

    /// <summary>A 404 for a thing of <paramref name="what"/> named <paramref name="name"/>.</summary>
    public static KilnException NotFound(string what, string name) => new(KilnErrorKind.NotFound, $"{what} '{name}' was not found.");

    /// <summary>A 409 with a message.</summary>
    public static KilnException Conflict(string message) => new(KilnErrorKind.Conflict, message);

    /// <summary>A 503 with a message.</summary>
    public static KilnException NotReady(string message) => new(KilnErrorKind.NotReady, message);
}
